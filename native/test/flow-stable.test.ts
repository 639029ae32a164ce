import { withNetworkNamespace, type NetworkNamespace } from '@pingsphere/testbed';
import { describe, expect, it } from 'vitest';
import { tunAddresses, tunAddresses6, TunResponder, WireCapture, type WirePacket } from '../testing/index.js';
import { sweepInNamespace, type DriverOutput, withoutNetRaw } from './fixtures/run-driver.js';

type SweepSettings = Parameters<typeof sweepInNamespace>[1];

/** Sweeps TUN hosts and returns the result and the echo requests seen leaving on the device. */
async function sweepCapturingRequests(
  ns: NetworkNamespace,
  targets: string[],
  settings: Omit<SweepSettings, 'targets'>,
  prefix: string[] = [],
): Promise<{ out: DriverOutput; requests: WirePacket[] }> {
  const responder = await TunResponder.start(
    ns,
    targets.map((address) => ({ address, delayUs: 1_000, behaviour: 'reply' })),
  );
  const capture = await WireCapture.start(ns, 'pstun0');
  const out = await sweepInNamespace(ns, { targets, ...settings }, prefix);
  const wire = await capture.stop();
  await responder.stop();
  expect(out.error).toBeUndefined();
  return { out, requests: wire.packets.filter((p) => p.direction === 'out') };
}

/** For each target, the distinct (ICMP id, checksum) pairs its requests carried. */
function flowsPerTarget(requests: WirePacket[]): Map<string, Set<string>> {
  const flows = new Map<string, Set<string>>();
  for (const request of requests) {
    const set = flows.get(request.dst) ?? new Set<string>();
    set.add(`${request.id}/${request.checksum}`);
    flows.set(request.dst, set);
  }
  return flows;
}

const modes = [
  { name: 'raw sockets, IPv4 and IPv6', prefix: [] as string[], socketMode: 'raw' as const },
  { name: 'ping sockets, IPv4 and IPv6', prefix: withoutNetRaw, socketMode: 'ping' as const },
];

describe.each(modes)('flow-stable probes on $name', ({ prefix, socketMode }) => {
  it('sends every probe to a target with the same ICMP id and checksum, whichever sender sends it', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      // 2,100 targets make three units per round, claimed in turn by two senders.
      const targets = [...tunAddresses(2_090), ...tunAddresses6(10)];
      const { out, requests } = await sweepCapturingRequests(
        ns,
        targets,
        { count: 3, periodMs: 100, ratePps: 20_000, senders: 2, socketMode },
        prefix,
      );
      expect(out.stats).toMatchObject({ senders: 2, replies: 6_300 });
      expect(requests).toHaveLength(6_300);
      const flows = flowsPerTarget(requests);
      expect(flows.size).toBe(2_100);
      for (const [target, set] of flows) expect([...set], target).toHaveLength(1);
      // The sequence field and the payload still tell the probes apart.
      expect(requests.every((r) => r.seq === r.probe)).toBe(true);
      expect(new Set(requests.map((r) => `${r.dst}#${r.probe}`)).size).toBe(6_300);
      expect(out.results!.every(([, , , flow]) => flow === 0)).toBe(true);
    });
  });

  it('with 4 flows sends a target probe k on flow k mod 4: four ids and checksums, the flow in each result', async () => {
    await withNetworkNamespace(async (ns) => {
      await ns.exec('sysctl', ['-w', 'net.ipv4.ping_group_range=0 2147483647']);
      const targets = [...tunAddresses(6), ...tunAddresses6(2)];
      const { out, requests } = await sweepCapturingRequests(
        ns,
        targets,
        { count: 8, periodMs: 20, flows: 4, socketMode },
        prefix,
      );
      expect(out.stats!.replies).toBe(64);
      const flows = flowsPerTarget(requests);
      for (const [target, set] of flows) expect([...set], target).toHaveLength(4);
      // Probe k and probe k + 4 share an id and checksum: the flow the result reports.
      const flowOf = new Map(requests.map((r) => [`${r.dst}#${r.probe}`, `${r.id}/${r.checksum}`]));
      for (const [target, seq, rttNs, flow] of out.results!) {
        expect(rttNs).toBeGreaterThan(0);
        expect(flow).toBe(seq % 4);
        expect(flowOf.get(`${target}#${seq}`)).toBe(flowOf.get(`${target}#${flow}`));
      }
      // A flow is one id for every target of a family, so routers see N flows per target.
      const idsByFlow = new Map<number, Set<number>>();
      for (const r of requests.filter((p) => p.type === 8)) {
        const ids = idsByFlow.get(r.probe % 4) ?? new Set<number>();
        ids.add(r.id);
        idsByFlow.set(r.probe % 4, ids);
      }
      expect([...idsByFlow.values()].map((ids) => ids.size)).toEqual([1, 1, 1, 1]);
    });
  });
});
