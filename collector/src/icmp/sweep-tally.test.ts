import { describe, expect, it } from 'vitest';
import { SweepTally } from './sweep-tally.js';

function batch(targetIndex: number[], rttNs: number[]) {
  const n = targetIndex.length;
  return {
    targetIndex: Uint32Array.from(targetIndex),
    seq: new Uint32Array(n),
    rttNs: Float64Array.from(rttNs),
    sendTimeUs: new Float64Array(n),
    flow: new Uint16Array(n),
  };
}

describe('SweepTally', () => {
  it('counts alive targets and losses and summarises RTTs to the microsecond over batches', () => {
    const tally = new SweepTally(4);
    // Target 3 never answers; 100 replies of 1..100 ms (+0.4 µs, rounded away) over two batches.
    const rtts = Array.from({ length: 100 }, (_, i) => (i + 1) * 1e6 + 400);
    tally.add(
      batch(
        [...Array(60).keys()].map((i) => i % 3),
        rtts.slice(0, 60).reverse(),
      ),
    );
    tally.add(batch([...[...Array(40).keys()].map((i) => i % 3), 3, 3], [...rtts.slice(60), -1, -1]));
    expect(tally.summary()).toEqual({
      targets: 4,
      alive: 3,
      unreachable: 1,
      probes: 102,
      replies: 100,
      lost: 2,
      lossPercent: (100 * 2) / 102,
      rttMs: { min: 1, avg: 50.5, max: 100, p50: 51, p90: 91, p99: 100 },
    });
  });

  it('has no RTT summary without replies', () => {
    const tally = new SweepTally(1);
    tally.add(batch([0], [-1]));
    expect(tally.summary()).toMatchObject({ alive: 0, lost: 1, rttMs: null });
  });
});
