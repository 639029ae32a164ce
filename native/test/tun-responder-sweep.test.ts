import { withNetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';
import { TunResponder, tunAddresses, type TunHost } from '../testing/index.js';
import { sweepInNamespace } from './fixtures/run-driver.js';

describe('a sweep against the TUN delay responder (198.18.0.0/16 inside the namespace)', () => {
  it('measures the programmed per-host delays, reports dropped hosts lost and no dropped host alive', async () => {
    await withNetworkNamespace(async (ns) => {
      const hosts: TunHost[] = tunAddresses(400).map((address, i) => ({
        address,
        delayUs: 1_000 + ((i * 7_919) % 119_000),
        behaviour: i % 10 === 3 ? 'drop' : 'reply',
      }));
      const responder = await TunResponder.start(ns, hosts);
      const out = await sweepInNamespace(ns, { targets: hosts.map((h) => h.address), timeoutMs: 300 });
      const counters = await responder.stop();
      expect(out.error).toBeUndefined();
      expect(counters.requests).toBe(400);

      const measured = new Map(out.results!.map(([target, , rttNs]) => [target, rttNs]));
      expect(measured.size).toBe(400);
      for (const host of hosts) {
        const rttNs = measured.get(host.address)!;
        if (host.behaviour === 'drop') {
          expect(rttNs, `${host.address} never answers`).toBe(-1);
        } else {
          // Never faster than programmed; slower only by the path and scheduling (a loose bound
          // for a busy CI machine: the accuracy benchmark records the real distribution).
          expect(rttNs / 1e3, host.address).toBeGreaterThanOrEqual(host.delayUs - 20);
          expect(rttNs / 1e3, host.address).toBeLessThan(host.delayUs + 5_000);
        }
      }
      expect(out.stats).toMatchObject({ replies: 360, lost: 40, badCookie: 0, duplicates: 0 });
    });
  });

  it('rejects forged replies (bad cookie) and counts them, still taking the real reply that follows', async () => {
    await withNetworkNamespace(async (ns) => {
      const [forged, forgedThenReal, honest] = tunAddresses(3);
      const responder = await TunResponder.start(ns, [
        { address: forged!, delayUs: 5_000, behaviour: 'forge' },
        { address: forgedThenReal!, delayUs: 20_000, behaviour: 'forge-then-reply' },
        { address: honest!, delayUs: 10_000, behaviour: 'reply' },
      ]);
      const out = await sweepInNamespace(ns, { targets: [forged!, forgedThenReal!, honest!], timeoutMs: 200 });
      await responder.stop();
      const measured = new Map(out.results!.map(([target, , rttNs]) => [target, rttNs]));
      expect(measured.get(forged!)).toBe(-1);
      expect(measured.get(forgedThenReal!)!).toBeGreaterThanOrEqual(20e6);
      expect(measured.get(honest!)!).toBeGreaterThanOrEqual(10e6);
      expect(out.stats).toMatchObject({ badCookie: 2, replies: 2, lost: 1 });
    });
  });

  it('reports a duplicated reply once and counts the duplicate', async () => {
    await withNetworkNamespace(async (ns) => {
      const [twice, once] = tunAddresses(2);
      const responder = await TunResponder.start(ns, [
        { address: twice!, delayUs: 5_000, behaviour: 'duplicate' },
        // Answers last, so the sweep is still running when the duplicate arrives.
        { address: once!, delayUs: 60_000, behaviour: 'reply' },
      ]);
      const out = await sweepInNamespace(ns, { targets: [twice!, once!], count: 2, periodMs: 100, timeoutMs: 200 });
      await responder.stop();
      expect(out.results!.filter(([target]) => target === twice)).toHaveLength(2);
      expect(out.results!.every(([, , rttNs]) => rttNs > 0)).toBe(true);
      expect(out.stats).toMatchObject({ replies: 4, duplicates: 2, lost: 0 });
    });
  });

  it('counts forged, duplicated and late replies the same when the sweep has two senders', async () => {
    await withNetworkNamespace(async (ns) => {
      // One unit per round: the rounds may go out from different senders, with different ICMP ids.
      const [forged, twice, slow, honest] = tunAddresses(4);
      const responder = await TunResponder.start(ns, [
        { address: forged!, delayUs: 5_000, behaviour: 'forge' },
        { address: twice!, delayUs: 5_000, behaviour: 'duplicate' },
        { address: slow!, delayUs: 250_000, behaviour: 'reply' },
        { address: honest!, delayUs: 10_000, behaviour: 'reply' },
      ]);
      // Probes at 0 and 400 ms with a 100 ms timeout: slow's first reply (250 ms) is late while the
      // sweep runs; its second (650 ms) comes well after the sweep ended (~500 ms).
      const out = await sweepInNamespace(ns, {
        targets: [forged!, twice!, slow!, honest!],
        senders: 2,
        count: 2,
        periodMs: 400,
        timeoutMs: 100,
      });
      await responder.stop();
      const alive = out.results!.filter(([, , rttNs]) => rttNs >= 0).map(([target, seq]) => `${target}#${seq}`);
      expect(alive.sort()).toEqual([`${honest}#0`, `${honest}#1`, `${twice}#0`, `${twice}#1`].sort());
      expect(out.results).toHaveLength(8);
      expect(out.stats).toMatchObject({ senders: 2, replies: 4, lost: 4, badCookie: 2, duplicates: 2, late: 1 });
    });
  });

  it('counts replies that come after the timeout as late and reports those probes lost', async () => {
    await withNetworkNamespace(async (ns) => {
      const [slow] = tunAddresses(1);
      const responder = await TunResponder.start(ns, [{ address: slow!, delayUs: 150_000, behaviour: 'reply' }]);
      // Probes at 0, 200 and 400 ms with a 100 ms timeout: the first two late replies (150 and
      // 350 ms) arrive while the sweep still runs; the last one after it ended.
      const out = await sweepInNamespace(ns, { targets: [slow!], count: 3, periodMs: 200, timeoutMs: 100 });
      await responder.stop();
      expect(out.results!.map(([, seq, rttNs]) => [seq, rttNs])).toEqual([
        [0, -1],
        [1, -1],
        [2, -1],
      ]);
      expect(out.stats).toMatchObject({ replies: 0, lost: 3, late: 2 });
    });
  });
});
