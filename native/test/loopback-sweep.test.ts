import { availableParallelism } from 'node:os';
import { median, withNetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';
import { sweepInNamespace, type DriverOutput } from './fixtures/run-driver.js';

/** Time between successive probes to each target, in µs. */
function roundGapsUs(out: DriverOutput): number[] {
  const byTarget = new Map<string, number[]>();
  for (const [target, seq, , , sendTimeUs] of out.results!) {
    const times = byTarget.get(target) ?? [];
    times[seq] = sendTimeUs;
    byTarget.set(target, times);
  }
  return [...byTarget.values()].flatMap((times) => times.slice(1).map((t, i) => t - times[i]!));
}

/** `n` addresses 127.x.y.z, spread over several /16s. */
function loopbackTargets(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
}

describe('a sweep on loopback inside a fresh namespace', () => {
  it('gets a reply from every one of 20,000 127.x.y.z targets, each reported once, in typed batches', async () => {
    await withNetworkNamespace(async (ns) => {
      const targets = loopbackTargets(20_000);
      const out = await sweepInNamespace(ns, { targets, ratePps: 50_000, chunkProbes: 4096 });
      expect(out.error).toBeUndefined();
      expect(out.mode).toBe('raw');
      expect(out.results).toHaveLength(20_000);
      expect(out.results!.every(([, seq, rtt]) => seq === 0 && rtt >= 0 && rtt < 500e6)).toBe(true);
      const probes = new Set(out.results!.map(([target, seq]) => `${target}#${seq}`));
      expect(probes.size).toBe(20_000);
      expect(out.batches).toBeGreaterThanOrEqual(5);
      // The raw socket also sees our own 20,000 echo requests arrive on lo: the BPF filter keeps them
      // (and any other ICMP) out, so nothing reaches the receiver as foreign.
      expect(out.stats).toMatchObject({
        sent: 20_000,
        replies: 20_000,
        lost: 0,
        badCookie: 0,
        duplicates: 0,
        foreign: 0,
      });
    });
  });

  it('probes IPv6 ::1 and IPv4 in one sweep, count times each, period apart', async () => {
    await withNetworkNamespace(async (ns) => {
      const runs: DriverOutput[] = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await sweepInNamespace(ns, { targets: ['127.0.0.1', '::1'], count: 3, periodMs: 100 }));
      }
      for (const out of runs) {
        expect(out.error).toBeUndefined();
        const sorted = out.results!.map(([t, s, rtt]) => [t, s, rtt >= 0]).sort();
        expect(sorted).toEqual([
          ['127.0.0.1', 0, true],
          ['127.0.0.1', 1, true],
          ['127.0.0.1', 2, true],
          ['::1', 0, true],
          ['::1', 1, true],
          ['::1', 2, true],
        ]);
        // Round k never goes out before k periods after the sweep started, nor less than a period
        // after the same target's previous probe, whatever the load (the clock the driver reads
        // is 1 ms coarser than the engine's, hence the slack).
        for (const [target, seq, , , sendTimeUs] of out.results!) {
          expect(sendTimeUs - out.startedUs!, `${target} #${seq}`).toBeGreaterThanOrEqual(seq * 100_000 - 1_000);
        }
        expect(Math.min(...roundGapsUs(out))).toBeGreaterThanOrEqual(100_000 - 1_000);
      }
      // ... nor much later: a round follows the previous one by a period, not by more. A busy
      // machine can delay one run; the median of three keeps every gap under two periods.
      expect(median(runs.map((out) => Math.max(...roundGapsUs(out))))).toBeLessThan(200_000);
    });
  });

  it('keeps every target a whole period apart when a paced round 0 went out spread and round 1 could burst', async () => {
    await withNetworkNamespace(async (ns) => {
      // At 100 probes/s round 0 sends the 5 targets 10 ms apart; by round 1 the pacer has saved a
      // burst of 4, which, sent as soon as the round is due, would reach the 4th target 30 ms early.
      const out = await sweepInNamespace(ns, { targets: loopbackTargets(5), ratePps: 100, count: 3, periodMs: 100 });
      expect(out.error).toBeUndefined();
      expect(out.results!.length).toBe(15);
      const gaps = roundGapsUs(out);
      expect(gaps.length).toBe(10);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100_000 - 1_000);
      // Not held back more than the pacing needs either.
      expect(Math.max(...gaps)).toBeLessThan(150_000);
    });
  });

  it('reports a target that does not answer as lost after the timeout, never as alive', async () => {
    await withNetworkNamespace(async (ns) => {
      // Nothing in the namespace routes 198.51.100.0/24 except a blackhole: the probe goes nowhere.
      await ns.exec('ip', ['route', 'add', 'blackhole', '198.51.100.0/24']);
      const out = await sweepInNamespace(ns, { targets: ['127.0.0.1', '198.51.100.7'], timeoutMs: 200 });
      const byTarget = Object.fromEntries(out.results!.map(([t, , rtt]) => [t, rtt]));
      expect(byTarget['127.0.0.1']).toBeGreaterThanOrEqual(0);
      expect(byTarget['198.51.100.7']).toBe(-1);
      expect(out.stats).toMatchObject({ replies: 1, lost: 1 });
    });
  });

  it('splits an unlimited sweep across sender threads with their own sockets, reporting every probe once', async () => {
    await withNetworkNamespace(async (ns) => {
      // More senders than this machine has cores, and two rounds of 20 units each.
      const targets = loopbackTargets(20_000);
      const out = await sweepInNamespace(ns, { targets, ratePps: 0, senders: 3, count: 2, periodMs: 50 });
      expect(out.error).toBeUndefined();
      expect(out.results).toHaveLength(40_000);
      expect(out.results!.every(([, , rtt]) => rtt >= 0)).toBe(true);
      const probes = new Set(out.results!.map(([target, seq]) => `${target}#${seq}`));
      expect(probes.size).toBe(40_000);
      expect(out.stats).toMatchObject({
        senders: 3,
        sent: 40_000,
        replies: 40_000,
        lost: 0,
        badCookie: 0,
        duplicates: 0,
        foreign: 0,
        kernelDrops: 0,
      });
    });
  });

  it('shares IPv4 and IPv6 targets among senders, switching family inside a unit of work', async () => {
    await withNetworkNamespace(async (ns) => {
      // 2,001 targets make two units per round (1,024 + 977); the second ends with ::1.
      const targets = [...loopbackTargets(2_000), '::1'];
      const out = await sweepInNamespace(ns, { targets, ratePps: 0, senders: 2, count: 2, periodMs: 20 });
      expect(out.error).toBeUndefined();
      expect(out.results).toHaveLength(4_002);
      expect(out.results!.every(([, , rtt]) => rtt >= 0)).toBe(true);
      expect(out.results!.filter(([target]) => target === '::1').map(([, seq]) => seq)).toEqual(
        expect.arrayContaining([0, 1]),
      );
      expect(out.stats).toMatchObject({ senders: 2, replies: 4_002, duplicates: 0, badCookie: 0, foreign: 0 });
    });
  });

  it('picks one sender per usable CPU for an unlimited sweep and a single sender at the default rate', async () => {
    await withNetworkNamespace(async (ns) => {
      const targets = loopbackTargets(20_000);
      const unlimited = await sweepInNamespace(ns, { targets, ratePps: 0 });
      expect(unlimited.stats!.senders).toBe(Math.min(availableParallelism(), 64));
      expect(unlimited.stats!.replies).toBe(20_000);
      const paced = await sweepInNamespace(ns, { targets: targets.slice(0, 2_000) });
      expect(paced.stats!.senders).toBe(1);
    });
  });

  // Never faster than the rate is a hard property (load only slows a sender down); not much slower
  // is judged on the median of three runs with a wide margin, so one disturbed run cannot fail it.
  it.each([1, 2])(
    'holds the global rate on %i sender(s): 2,000 probes at 4,000 probes/s take half a second to send',
    async (senders) => {
      await withNetworkNamespace(async (ns) => {
        const runs: DriverOutput[] = [];
        for (let i = 0; i < 3; i++) {
          runs.push(await sweepInNamespace(ns, { targets: loopbackTargets(2_000), ratePps: 4_000, senders }));
        }
        for (const out of runs) {
          expect(out.stats).toMatchObject({ senders, replies: 2_000 });
          // A burst (5 ms worth of the rate, shared by the senders) may go at once; the rest is paced.
          expect(out.stats!.sendSeconds).toBeGreaterThan((2_000 - 0.005 * 4_000 - senders) / 4_000 - 0.005);
        }
        expect(median(runs.map((out) => out.stats!.sendSeconds))).toBeLessThan(1.0);
      });
    },
  );
});
