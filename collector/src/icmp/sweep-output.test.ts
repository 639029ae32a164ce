import { describe, expect, it } from 'vitest';
import { humanLine, isoMicroseconds, ndjsonLine, rttMsOrNull } from './sweep-output.js';

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

  it('writes RTTs exactly as JSON writes the microsecond-rounded number, and times across seconds', () => {
    // Integer formatting must agree with Number → text for every shape of fraction.
    const samples = [0, 1, 10, 100, 999, 1000, 1001, 1010, 1100, 21_040, 123_456_789];
    let seed = 12_345; // a fixed pseudo-random series, so a failure reproduces
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      samples.push(seed % 10 ** (1 + (i % 9)));
    }
    const ts = Date.UTC(2026, 10, 22, 23, 59, 59, 999) * 1000;
    for (const us of samples) {
      for (const rttNs of [us * 1000, us * 1000 + 499, us * 1000 - 500]) {
        if (rttNs < 0) continue;
        const line = JSON.parse(ndjsonLine('192.0.2.1', 1, rttNs, ts + us)) as { rtt_ms: number; ts: string };
        expect(ndjsonLine('192.0.2.1', 1, rttNs, ts + us)).toContain(`"rtt_ms":${JSON.stringify(rttMsOrNull(rttNs))},`);
        expect(line.ts).toBe(
          `${new Date(Math.floor((ts + us) / 1000)).toISOString().slice(0, 23)}${String((ts + us) % 1000).padStart(3, '0')}Z`,
        );
        expect(humanLine('192.0.2.1', 1, rttNs, 64)).toBe(
          `192.0.2.1 : [1], 64 bytes, ${rttMsOrNull(rttNs)!.toFixed(3)} ms\n`,
        );
      }
    }
  });
});
