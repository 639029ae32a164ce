import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/http/endpoint.js';
import { timedRequest, type TimedResponse } from '../../src/http/timed-request.js';
import { makeCertificate, startPacedServer, type PacedServer } from '../helpers/processes.js';

const headerDelayMs = 20;
const bodyDelayMs = 30;
const runs = 21;

/** curl's -w timings, converted to milliseconds (each is cumulative from the start). */
interface CurlTimes {
  namelookup: number;
  connect: number;
  appconnect: number;
  pretransfer: number;
  starttransfer: number;
  total: number;
}

async function curl(url: string, extra: string[] = []): Promise<CurlTimes> {
  const format =
    '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}';
  const { stdout } = await promisify(execFile)('curl', [
    '-s',
    '-o',
    '/dev/null',
    '--noproxy',
    '*',
    '-w',
    format,
    ...extra,
    url,
  ]);
  const [namelookup, connect, appconnect, pretransfer, starttransfer, total] = stdout
    .trim()
    .split(' ')
    .map((s) => Number(s) * 1000);
  return {
    namelookup: namelookup!,
    connect: connect!,
    appconnect: appconnect!,
    pretransfer: pretransfer!,
    starttransfer: starttransfer!,
    total: total!,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Alternates ours and curl's requests so both see the same machine state. */
async function measure(url: string, options: { ca?: string; curlArgs?: string[]; runs?: number } = {}) {
  const endpoint = parseEndpoint(url);
  const request = () => timedRequest(endpoint, { timeoutMs: 5000, ca: options.ca });
  for (let i = 0; i < 3; i++) await request(); // JIT warm-up
  const ours: TimedResponse[] = [];
  const theirs: CurlTimes[] = [];
  for (let i = 0; i < (options.runs ?? runs); i++) {
    ours.push(await request());
    theirs.push(await curl(url, options.curlArgs));
  }
  if (process.env.PINGSPHERE_TIMING_DEBUG) console.log(JSON.stringify({ ours, theirs }, null, 1));
  return { ours, theirs };
}

describe('the timing breakdown agrees with curl -w on the same local server', () => {
  let plain: PacedServer;
  let secure: PacedServer;
  let certificate: Awaited<ReturnType<typeof makeCertificate>>;

  beforeAll(async () => {
    certificate = await makeCertificate(['localhost']);
    [plain, secure] = await Promise.all([
      startPacedServer({ hosts: ['127.0.0.1'], headerDelayMs, bodyDelayMs }),
      startPacedServer({ hosts: ['127.0.0.1'], headerDelayMs, bodyDelayMs, tls: certificate }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([plain?.stop(), secure?.stop()]);
    certificate?.dispose();
  });

  it('looks the host name up as its own first stage, as curl does', async () => {
    const url = `http://localhost:${plain.port}/paced`;
    const { ours, theirs } = await measure(url, { runs: 3 });
    for (const r of ours) {
      expect(r.error).toBe('');
      expect(r.dnsMs).toBeGreaterThan(0);
      expect(r.dnsMs).toBeLessThan(r.totalMs - r.ttfbMs - r.closeMs);
    }
    for (const c of theirs) expect(c.namelookup).toBeLessThanOrEqual(c.connect);
  });

  // Both tools share two busy cores with whatever else runs: one retry absorbs a noisy round, a
  // systematic difference still fails.
  it(
    'over HTTP: the same order of events, and total, first byte and body times within 1 ms',
    { retry: 1 },
    async () => {
      // An address literal: no lookup on either side (curl answers "localhost" without asking).
      const url = `http://127.0.0.1:${plain.port}/paced`;
      const { ours, theirs } = await measure(url);
      for (const r of ours) {
        expect(r.error).toBe('');
        expect(r.status).toBe(200);
        expect(r.dnsMs).toBe(0);
        expect(r.connectMs).toBeGreaterThan(0);
        expect(r.tlsMs).toBe(0);
        // The stages follow one another and add up to (almost all of) the total.
        const stages = r.dnsMs + r.connectMs + r.ttfbMs + r.closeMs;
        expect(stages).toBeLessThanOrEqual(r.totalMs);
        expect(r.totalMs - stages).toBeLessThan(1);
      }
      for (const c of theirs) {
        expect(c.namelookup).toBeLessThanOrEqual(c.connect);
        expect(c.connect).toBeLessThanOrEqual(c.starttransfer);
        expect(c.starttransfer).toBeLessThanOrEqual(c.total);
      }
      const ourTtfb = median(ours.map((r) => r.ttfbMs));
      const curlTtfb = median(theirs.map((c) => c.starttransfer - c.pretransfer));
      const ourClose = median(ours.map((r) => r.closeMs));
      const curlClose = median(theirs.map((c) => c.total - c.starttransfer));
      const ourTotal = median(ours.map((r) => r.totalMs));
      const curlTotal = median(theirs.map((c) => c.total));
      // The server's pacing shows up in the stages it belongs to, in both tools.
      expect(ourTtfb).toBeGreaterThanOrEqual(headerDelayMs);
      expect(curlTtfb).toBeGreaterThanOrEqual(headerDelayMs);
      expect(ourClose).toBeGreaterThanOrEqual(bodyDelayMs - 1);
      expect(curlClose).toBeGreaterThanOrEqual(bodyDelayMs - 1);
      expect(Math.abs(ourTtfb - curlTtfb)).toBeLessThan(1);
      expect(Math.abs(ourClose - curlClose)).toBeLessThan(1);
      expect(Math.abs(ourTotal - curlTotal)).toBeLessThan(1);
    },
  );

  it('over HTTPS: the TLS handshake is its own stage, after connect and before the request', { retry: 1 }, async () => {
    const url = `https://localhost:${secure.port}/paced`; // the certificate's name
    const ca = readFileSync(certificate.cert, 'utf8');
    const { ours, theirs } = await measure(url, { ca, curlArgs: ['--cacert', certificate.cert] });
    for (const r of ours) {
      expect(r.error).toBe('');
      expect(r.tlsMs).toBeGreaterThan(0);
      const stages = r.dnsMs + r.connectMs + r.tlsMs + r.ttfbMs + r.closeMs;
      expect(stages).toBeLessThanOrEqual(r.totalMs);
      expect(r.totalMs - stages).toBeLessThan(1);
    }
    for (const c of theirs) {
      expect(c.connect).toBeLessThanOrEqual(c.appconnect);
      expect(c.appconnect).toBeLessThanOrEqual(c.starttransfer);
      expect(c.appconnect - c.connect).toBeGreaterThan(0);
    }
    const ourTtfb = median(ours.map((r) => r.ttfbMs));
    const curlTtfb = median(theirs.map((c) => c.starttransfer - c.pretransfer));
    expect(Math.abs(ourTtfb - curlTtfb)).toBeLessThan(1);
    // The handshake itself is each TLS library's own CPU work (Node's OpenSSL binding vs curl's),
    // so the totals are compared without it.
    const ourRest = median(ours.map((r) => r.totalMs - r.tlsMs));
    const curlRest = median(theirs.map((c) => c.total - (c.appconnect - c.connect)));
    expect(Math.abs(ourRest - curlRest)).toBeLessThan(1);
  });
});
