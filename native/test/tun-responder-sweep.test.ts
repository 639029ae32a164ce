import { quantile, withNetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';
import { TunResponder, tunAddresses, tunAddresses6, type HostBehaviour, type TunHost } from '../testing/index.js';
import { sweepInNamespace, withoutNetRaw } from './fixtures/run-driver.js';
import { sweepAgainstWire } from './fixtures/wire-sweep.js';

describe('a sweep against the TUN delay responder (198.18.0.0/16 inside the namespace)', () => {
  it('measures the programmed per-host delays (as the wire shows them), reports dropped hosts lost and no dropped host alive', async () => {
    await withNetworkNamespace(async (ns) => {
      const hosts: TunHost[] = tunAddresses(400).map((address, i) => ({
        address,
        delayUs: 1_000 + ((i * 7_919) % 119_000),
        behaviour: i % 10 === 3 ? 'drop' : 'reply',
      }));
      const run = await sweepAgainstWire(ns, hosts, { timeoutMs: 300 });
      expect(run.responder.requests).toBe(400);
      const measured = new Map(run.out.results!.map(([target, , rttNs]) => [target, rttNs]));
      expect(measured.size).toBe(400);
      for (const host of hosts) {
        const rttNs = measured.get(host.address)!;
        if (host.behaviour === 'drop') {
          expect(rttNs, `${host.address} never answers`).toBe(-1);
        } else {
          // Never faster than programmed (a reply matched to the wrong probe or host would be).
          expect(rttNs / 1e3, host.address).toBeGreaterThanOrEqual(host.delayUs - 20);
        }
      }
      // How much later than programmed is the responder's (a busy machine's) business: the RTT is
      // judged against the capture of the TUN device, which holds the responder's lateness too.
      expect(run.falseLosses).toBe(0);
      expect(run.errorsNs.length + run.unseen).toBe(360);
      expect(run.errorsNs.length).toBeGreaterThan(340);
      const absErrors = run.errorsNs.map(Math.abs);
      expect(Math.max(...absErrors)).toBeLessThan(1_000_000);
      expect(quantile(absErrors, 0.9)).toBeLessThan(50_000);
      expect(run.out.stats).toMatchObject({ replies: 360, lost: 40, badCookie: 0, duplicates: 0 });
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

  it('counts forged, duplicated and late replies the same when the sweep has two senders', async () => {
    await withNetworkNamespace(async (ns) => {
      // One unit per round: the rounds may go out from different senders, with different ICMP ids.
      const [forged, twice, slow, honest] = tunAddresses(4);
      const responder = await TunResponder.start(ns, [
        { address: forged!, delayUs: 5_000, behaviour: 'forge' },
        { address: twice!, delayUs: 5_000, behaviour: 'duplicate' },
        { address: slow!, delayUs: 380_000, behaviour: 'reply' },
        { address: honest!, delayUs: 10_000, behaviour: 'reply' },
      ]);
      // Probes at 0 and 400 ms with a 100 ms timeout: slow's first reply (380 ms) is late while the
      // sweep runs (it cannot end before 500 ms); its second (780 ms) comes well after the sweep
      // ended (~500 ms; with a 250 ms delay, a second reply at 650 ms was once counted late too
      // while the suite loaded both cores).
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
});

// Each host misbehaves one way (tun-responder.c): every forged, replayed, duplicated or late
// reply must be rejected and counted, and none may be reported as an RTT.
const misbehaviours: { behaviour: HostBehaviour; delayUs: number }[] = [
  { behaviour: 'forge', delayUs: 5_000 }, // a flipped cookie byte
  { behaviour: 'forge-seq', delayUs: 5_000 }, // the payload claims another probe number
  { behaviour: 'forge-time', delayUs: 5_000 }, // the payload's send time 10 ms earlier
  { behaviour: 'misdirect', delayUs: 5_000 }, // a valid reply, sent from the next host's address
  { behaviour: 'drop', delayUs: 0 }, // ... that next host, which never answers itself
  { behaviour: 'replay', delayUs: 5_000 }, // probe 0's valid reply again for probes 1 and 2
  { behaviour: 'duplicate', delayUs: 5_000 }, // every reply twice
  { behaviour: 'reply', delayUs: 420_000 }, // after the timeout
  { behaviour: 'reply', delayUs: 10_000 }, // honest
];

const families = [
  { name: 'IPv4 raw sockets', addresses: tunAddresses, socketMode: 'raw' as const, prefix: [] as string[] },
  { name: 'IPv6 raw sockets', addresses: tunAddresses6, socketMode: 'raw' as const, prefix: [] as string[] },
  { name: 'IPv4 ping sockets', addresses: tunAddresses, socketMode: 'ping' as const, prefix: withoutNetRaw },
  { name: 'IPv6 ping sockets', addresses: tunAddresses6, socketMode: 'ping' as const, prefix: withoutNetRaw },
];

describe.each(families)('forged and stray replies on $name', ({ addresses, socketMode, prefix }) => {
  it('rejects and counts replies forged, replayed for another target or probe, duplicated or late; reports none as an RTT', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const names = addresses(misbehaviours.length);
      const hosts = misbehaviours.map((m, i) => ({ address: names[i]!, ...m }));
      const host = (behaviour: HostBehaviour, delayUs?: number) =>
        hosts.find((h) => h.behaviour === behaviour && (delayUs === undefined || h.delayUs === delayUs))!.address;
      const responder = await TunResponder.start(ns, hosts);
      // Probes at 0, 300 and 600 ms with a 150 ms timeout; the sweep ends ~750 ms in. The late
      // host's replies come at 420 and 720 ms (counted late: the responder runs SCHED_FIFO and is
      // punctual) and 1,020 ms, 270 ms after the sweep should have ended (a receiver that a busy
      // machine delays that long would count it too); the replayed reply of probe 0 comes 305 and
      // 605 ms after probe 0 was sent (late for it).
      const out = await sweepInNamespace(
        ns,
        { targets: names, count: 3, periodMs: 300, timeoutMs: 150, socketMode },
        prefix,
      );
      const counters = await responder.stop();
      expect(out.error).toBeUndefined();
      expect(out.mode).toBe(socketMode);
      expect(counters.requests).toBe(27);

      const answered = out.results!.filter(([, , rttNs]) => rttNs >= 0).map(([target, seq]) => `${target}#${seq}`);
      const honest = host('reply', 10_000);
      const twice = host('duplicate');
      expect(answered.sort()).toEqual(
        [
          `${honest}#0`,
          `${honest}#1`,
          `${honest}#2`,
          `${twice}#0`,
          `${twice}#1`,
          `${twice}#2`,
          `${host('replay')}#0`,
        ].sort(),
      );
      // Every probe is reported exactly once.
      expect(new Set(out.results!.map(([target, seq]) => `${target}#${seq}`)).size).toBe(27);
      expect(out.results).toHaveLength(27);
      // No RTT was read from a forged send time: what was reported is the programmed delay or more.
      for (const [target, , rttNs] of out.results!) {
        if (rttNs >= 0)
          expect(rttNs, target).toBeGreaterThanOrEqual(hosts.find((h) => h.address === target)!.delayUs * 1e3);
      }
      expect(out.stats).toMatchObject({
        replies: 7,
        lost: 20,
        // forge, forge-seq, forge-time and misdirect: 3 each.
        badCookie: 12,
        duplicates: 3,
        // The late host's first two replies, and the two replays of probe 0's reply.
        late: 4,
        foreign: 0,
      });
    });
  });
});
