import { describe, expect, it } from 'vitest';
import { humanLine, isoMicroseconds, ndjsonLine } from './sweep-output.js';

describe('sweep output', () => {
  it('writes the --json contract: target, seq, rtt_ms (null when lost), ts with microseconds', () => {
    const ts = Date.UTC(2026, 10, 22, 15, 0, 0, 123) * 1000 + 456;
    expect(JSON.parse(ndjsonLine('198.18.1.1', 0, 21_040_000, ts))).toEqual({
      target: '198.18.1.1',
      seq: 0,
      rtt_ms: 21.04,
      ts: '2026-11-22T15:00:00.123456Z',
    });
    expect(ndjsonLine('::1', 3, -1, ts)).toBe(
      '{"target":"::1","seq":3,"rtt_ms":null,"ts":"2026-11-22T15:00:00.123456Z"}\n',
    );
  });

  it("adds the probe's flow to the --json line only when it is given (sweeps with more than one flow)", () => {
    const ts = Date.UTC(2026, 10, 22, 15, 0, 0) * 1000;
    expect(ndjsonLine('198.18.1.1', 5, 1_000_000, ts, 2)).toBe(
      '{"target":"198.18.1.1","seq":5,"rtt_ms":1,"ts":"2026-11-22T15:00:00.000000Z","flow":2}\n',
    );
  });

  it('pads microseconds and keeps them exact', () => {
    expect(isoMicroseconds(Date.UTC(2026, 0, 1) * 1000 + 7)).toBe('2026-01-01T00:00:00.000007Z');
  });

  it('prints probes in fping -c style', () => {
    expect(humanLine('127.0.0.1', 0, 52_000, 64)).toBe('127.0.0.1 : [0], 64 bytes, 0.052 ms\n');
    expect(humanLine('127.0.0.1', 1, -1, 64)).toBe('127.0.0.1 : [1], timed out\n');
  });
});
