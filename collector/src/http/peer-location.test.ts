import { describe, expect, it } from 'vitest';
import { locationFromReply, pingReplyHtml } from './peer-location.js';

describe('peer locations in replies', () => {
  it('reads the location from a pingmesh /v1/ping HTML reply', () => {
    const body =
      '<html><head><title>x</title></head><body>\n<h1> pingResponse </h1><p>Served from Tokyo,JP\n\n</body></html>';
    expect(locationFromReply(body)).toBe('Tokyo,JP');
  });

  it('reads SrvLoc from a /v1/peers JSON reply', () => {
    expect(locationFromReply('{\n  "Start": "x",\n  "SrvLoc": "Lagos,NG",\n')).toBe('Lagos,NG');
  });

  it('finds nothing in a page that names no location', () => {
    expect(locationFromReply('<html>hello</html>')).toBe('');
  });

  it('writes a reply a pingmesh peer can read back, with the location escaped', () => {
    expect(locationFromReply(pingReplyHtml('Zürich,CH'))).toBe('Zürich,CH');
    expect(pingReplyHtml('<script>')).not.toContain('<script>');
  });
});
