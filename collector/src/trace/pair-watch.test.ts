import { describe, expect, it } from 'vitest';
import { icmpBatchOf } from '../icmp/icmp-batches.js';
import { TargetList } from '../icmp/target-list.js';
import { allocateIcmpBatch } from '../results/icmp-batch.js';
import type { IcmpResult } from '../results/icmp-result.js';
import { httpResult } from '../../test/fixtures/results.js';
import { PairWatch, type ChangeThresholds, type PairTrigger } from './pair-watch.js';

const thresholds: ChangeThresholds = {
  windowSeconds: 60,
  baselineSeconds: 600,
  rttChangePct: 30,
  rttChangeMs: 5,
  lossPct: 20,
  holdoffSeconds: 300,
};
const t0 = Date.UTC(2026, 11, 2, 0, 0, 0);

function probe(dst: string, rttMs: number | null, seq = 0): IcmpResult {
  return { tsUs: t0 * 1000, src: 'c1', srcLoc: '', dst, seq, flow: 0, rttMs };
}

/** A watch fed `windows` windows of probes from `rtts(window, target)` for each target, one window a minute. */
function run(
  targets: string[],
  windows: number,
  rtts: (window: number, target: string) => (number | null)[],
  options: ChangeThresholds | null = thresholds,
): { watch: PairWatch; triggers: (PairTrigger & { window: number })[] } {
  const triggers: (PairTrigger & { window: number })[] = [];
  let window = 0;
  const watch = new PairWatch(
    options,
    (t) => triggers.push({ ...t, window }),
    t0,
    () => 0.5,
  );
  for (; window < windows; window++) {
    const results = targets.flatMap((dst) => rtts(window, dst).map((rtt, seq) => probe(dst, rtt, seq)));
    watch.observe(icmpBatchOf(results));
    watch.closeWindow(t0 + (window + 1) * 60_000);
  }
  return { watch, triggers };
}

describe('PairWatch', () => {
  it('triggers a change trace for the one target whose p50 moves past both thresholds, in the window it moves', () => {
    // 20 ms steady (jitter 19…21 ms); from window 8 on 198.18.0.2 goes to 40 ms (+100 %, +20 ms).
    const { triggers } = run(['198.18.0.1', '198.18.0.2', '198.18.0.3'], 10, (w, dst) =>
      [19, 20, 21, 20, 20].map((ms) => (dst === '198.18.0.2' && w >= 8 ? ms + 20 : ms)),
    );
    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toMatchObject({ dst: '198.18.0.2', address: '198.18.0.2', reason: 'change', window: 8 });
    expect(triggers[0]!.detail).toBe('RTT p50 40.00 ms over the last 60 s vs 20.00 ms baseline');
  });

  it('needs both the share and the milliseconds: +100 % of 0.3 ms and +6 ms of 100 ms are not changes', () => {
    const { triggers } = run(['198.18.0.1', '198.18.0.2'], 10, (w, dst) => {
      if (dst === '198.18.0.1') return [w >= 8 ? 0.6 : 0.3];
      return [w >= 8 ? 106 : 100];
    });
    expect(triggers).toEqual([]);
  });

  it('does not judge a change before the baseline has five windows', () => {
    const { triggers } = run(['198.18.0.1'], 6, (w) => [w >= 4 ? 50 : 10]);
    // Windows 0-3 make the baseline; window 4 (4 windows of baseline) is not judged, window 5 is.
    expect(triggers.map((t) => t.window)).toEqual([5]);
  });

  it('triggers a loss trace when a window loses at least --trace-loss of its probes, also without any reply', () => {
    const { triggers } = run(['198.18.0.1', '198.18.0.2'], 7, (w, dst) => {
      if (dst === '198.18.0.1') return w === 3 ? [10, 10, 10, 10, null] : [10, 10, 10, 10, 10]; // 20 %
      return w === 6 ? [null, null] : [10, 10];
    });
    expect(triggers.map((t) => [t.dst, t.reason, t.window])).toEqual([
      ['198.18.0.1', 'loss', 3],
      ['198.18.0.2', 'loss', 6],
    ]);
    expect(triggers[0]!.detail).toBe('loss 20% (1 of 5 probes) in the last 60 s');
  });

  it('holds off a pair traced less than --trace-holdoff ago and counts what it held off', () => {
    // Loss in every window from 2 on: traced at 2, held off at 3-6 (5 min after window 2 is window 7), and at 8.
    const { watch, triggers } = run(['198.18.0.1'], 9, (w) => (w >= 2 ? [null] : [10]));
    expect(triggers.map((t) => t.window)).toEqual([2, 7]);
    expect(watch.stats()).toMatchObject({ pairs: 1, windows: 9, triggers: 2, heldOff: 5 });
  });

  it('compares with the previous hour, not forever: a lasting change becomes the baseline again', () => {
    // 10 ms for 20 windows, then 30 ms: the 10-window baseline moves 10 % of the way each window
    // (30 - 20·0.9^k ms after k windows). Traced at 20; when the holdoff (5 windows) ends the p50 is
    // still 11.8 ms (> 30 % of 18.2 ms) and 7.0 ms (> 30 % of 23.0 ms) above it; at 35 only 4.1 ms.
    const { triggers } = run(['198.18.0.1'], 60, (w) => [w >= 20 ? 30 : 10]);
    expect(triggers.map((t) => t.window)).toEqual([20, 25, 30]);
  });

  it('watches HTTP peers by URL, traced at their last address, from the TCP connect time; a request that never connected is lost', () => {
    const triggers: PairTrigger[] = [];
    const watch = new PairWatch(
      thresholds,
      (t) => triggers.push(t),
      t0,
      () => 0.5,
    );
    const peer = { dst: 'http://virginia:8080/v1/ping', dstHost: 'virginia', dstIp: '198.18.1.7' };
    for (let w = 0; w < 8; w++) {
      const connectMs = w === 7 ? 80 : 40;
      const results = [httpResult({ ...peer, connectMs }), httpResult({ ...peer, connectMs: connectMs + 1 })];
      // A request that timed out before connecting has no address, but is the peer's lost probe.
      if (w === 1)
        results.push(httpResult({ ...peer, dstIp: '', status: 0, connectMs: 0, ok: false, error: 'timeout' }));
      watch.observe({ family: 'http', results });
      // A peer never reached has no address to trace yet: not a pair.
      watch.observe({
        family: 'http',
        results: [httpResult({ dst: 'http://dark:8080/v1/ping', dstIp: '', status: 0, connectMs: 0, ok: false })],
      });
      watch.closeWindow(t0 + (w + 1) * 60_000);
    }
    expect(triggers.map((t) => [t.dst, t.address, t.reason])).toEqual([
      ['virginia', '198.18.1.7', 'loss'],
      // 6 minutes after the loss trace (1 of 3 requests lost), past the 5-minute holdoff.
      ['virginia', '198.18.1.7', 'change'],
    ]);
    expect(watch.size).toBe(1);
  });

  it('traces an HTTP peer at the address it was last reached at (its DNS answer changed)', () => {
    const watch = new PairWatch(null, () => {}, t0);
    const peer = { dst: 'http://virginia:8080/v1/ping', dstHost: 'virginia' };
    watch.observe({ family: 'http', results: [httpResult({ ...peer, dstIp: '198.18.1.7' })] });
    watch.observe({ family: 'http', results: [httpResult({ ...peer, dstIp: '198.18.1.8' })] });
    expect(watch.pairsFrom(0, 10)).toEqual({ pairs: [{ dst: 'virginia', address: '198.18.1.8' }], next: -1 });
  });

  it('keeps IPv6 targets apart from IPv4 ones and lists every pair for a scheduled round, in slices', () => {
    const { watch } = run(['198.18.0.1', '2001:db8::1', '198.18.0.2'], 1, () => [10], null);
    expect(watch.pairsFrom(0, 2)).toEqual({
      pairs: [
        { dst: '198.18.0.1', address: '198.18.0.1' },
        { dst: '2001:db8::1', address: '2001:db8::1' },
      ],
      next: 2,
    });
    expect(watch.pairsFrom(2, 2)).toEqual({ pairs: [{ dst: '198.18.0.2', address: '198.18.0.2' }], next: -1 });
  });

  it('keeps 100,000 targets in typed arrays that grow by doubling, the p50 exact up to seven probes a window', () => {
    // A sweep's column batch as the engine hands it over: 10.0.0.0 … 10.1.134.159, one probe each.
    const targets = new TargetList();
    targets.addIpv4Range(0x0a000000, 100_000);
    const slow = 77_777;
    const triggers: PairTrigger[] = [];
    const watch = new PairWatch(
      thresholds,
      (t) => triggers.push(t),
      t0,
      () => 0.5,
    );
    for (let w = 0; w < 6; w++) {
      // Target 77,777's median moves from 10 to 50 ms in window 5, through outliers on both sides.
      const extra = w === 5 ? [1, 50, 50, 50, 500, 2, 51] : [];
      const batch = allocateIcmpBatch(100_000 + extra.length, targets, { src: 'c1', srcLoc: '' });
      for (let i = 0; i < 100_000; i++) {
        batch.targetIndex[i] = i;
        batch.rttNs[i] = i === slow && w === 5 ? 50e6 : 10e6;
      }
      extra.forEach((ms, k) => {
        batch.targetIndex[100_000 + k] = slow;
        batch.rttNs[100_000 + k] = ms * 1e6;
      });
      watch.observe(batch);
      watch.closeWindow(t0 + (w + 1) * 60_000);
    }
    expect(triggers.map((t) => t.dst)).toEqual([targets.addressAt(slow)]);
    expect(targets.addressAt(slow)).toBe('10.1.47.209');
    // Eight replies, seven kept: the 8th (51) replaces slot ⌊0.5·8⌋ = 4 (a 50): 1 2 50 50 50 51 500.
    expect(triggers[0]!.detail).toContain('RTT p50 50.00 ms');
    expect(watch.size).toBe(100_000);
  });

  it('holds a million targets in typed arrays of under 100 bytes a target (capacity included)', () => {
    const targets = new TargetList();
    targets.addIpv4Range(0x0a000000, 1_000_000);
    const batch = allocateIcmpBatch(1_000_000, targets, { src: 'c1', srcLoc: '' });
    for (let i = 0; i < batch.length; i++) {
      batch.targetIndex[i] = i;
      batch.rttNs[i] = 10e6;
    }
    const watch = new PairWatch(thresholds, () => {}, t0);
    watch.observe(batch);
    watch.closeWindow(t0 + 60_000);
    const { pairs, stateBytes } = watch.stats();
    expect(pairs).toBe(1_000_000);
    // 46 bytes of columns a slot, at most twice that after the last doubling (1,048,576 slots
    // here), plus the address index (8 bytes a cell, at most half full: 2,097,152 cells here):
    // 65 bytes a target.
    expect(stateBytes).toBe(1_048_576 * 46 + 2_097_152 * 8);
    expect(stateBytes / pairs).toBeLessThan(100);
  });
});
