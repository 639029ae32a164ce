import { describe, expect, it } from 'vitest';
import { quickIpv4, readDottedQuad } from './dotted-quad.js';

describe('the dotted-quad reader', () => {
  it.each([
    ['198.18.0.1', 0xc6120001],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['10.0.0.10', 0x0a00000a],
  ])('reads %s', (text, value) => {
    expect(quickIpv4(text)).toBe(value);
  });

  it.each(['1.2.3', '1.2.3.4.5', '1.2.3.04', '01.2.3.4', '1.2.3.256', '1.2.3.4 ', 'a.b.c.d', '1..2.3', '', '１.2.3.4'])(
    'refuses %j (the full parser explains why)',
    (text) => {
      expect(quickIpv4(text)).toBe(-1);
    },
  );

  it('stops at the first byte after the quad, so a line can go on with a comment', () => {
    const bytes = Buffer.from('x 198.18.0.7 # edge');
    expect(readDottedQuad(bytes, 2, bytes.length)).toEqual({ address: 0xc6120007, end: 12 });
  });
});
