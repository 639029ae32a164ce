// The engine's typed-array batches as the sinks' IcmpBatch, and (for tests, benchmarks and small
// producers) IcmpResult objects packed into one.
import type { ProbeBatch } from '@pingsphere/native';
import { allocateIcmpBatch, type IcmpBatch } from '../results/icmp-batch.js';
import type { IcmpResult } from '../results/icmp-result.js';
import { TargetList } from './target-list.js';
import { parseIpv4, parseIpv6 } from './target-spec.js';

/** Wraps one engine batch (no copy): the columns stay the engine's typed arrays. */
export function icmpBatchFromProbes(
  batch: ProbeBatch,
  targets: TargetList,
  identity: { src: string; srcLoc: string },
): IcmpBatch {
  return {
    family: 'icmp',
    src: identity.src,
    srcLoc: identity.srcLoc,
    length: batch.targetIndex.length,
    targets,
    targetIndex: batch.targetIndex,
    seq: batch.seq,
    rttNs: batch.rttNs,
    sendTimeUs: batch.sendTimeUs,
    flow: batch.flow,
  };
}

/**
 * Packs results of one collector (same src and srcLoc) into a column batch. Destinations must be
 * IP addresses, as the engine probes them; an RTT is kept to the nanosecond, as the engine measures.
 */
export function icmpBatchOf(results: readonly IcmpResult[]): IcmpBatch {
  const first = results[0];
  const targets = new TargetList();
  const indexOf = new Map<string, number>();
  const ipv6: string[] = [];
  for (const r of results) {
    if (r.src !== first!.src || r.srcLoc !== first!.srcLoc) {
      throw new Error(`one ICMP batch holds one collector's results: got ${first!.src} and ${r.src}`);
    }
    if (indexOf.has(r.dst)) continue;
    if (r.dst.includes(':')) {
      ipv6.push(r.dst);
      indexOf.set(r.dst, -1);
    } else {
      indexOf.set(r.dst, targets.size);
      targets.addIpv4(parseIpv4(r.dst));
    }
  }
  // Engine order: IPv4 targets first, then IPv6.
  for (const dst of ipv6) {
    indexOf.set(dst, targets.size);
    targets.addIpv6(parseIpv6(dst));
  }
  const batch = allocateIcmpBatch(results.length, targets, { src: first?.src ?? '', srcLoc: first?.srcLoc ?? '' });
  results.forEach((r, i) => {
    batch.targetIndex[i] = indexOf.get(r.dst)!;
    batch.seq[i] = r.seq;
    batch.rttNs[i] = r.rttMs === null ? -1 : Math.round(r.rttMs * 1e6);
    batch.sendTimeUs[i] = r.tsUs;
    batch.flow[i] = r.flow;
  });
  return batch;
}

/** Packs results of several collectors: one batch per collector (src, srcLoc), in first-seen order. */
export function icmpBatchesOf(results: readonly IcmpResult[]): IcmpBatch[] {
  const groups = new Map<string, IcmpResult[]>();
  for (const r of results) {
    const key = `${r.src}\u0000${r.srcLoc}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(r);
  }
  return [...groups.values()].map(icmpBatchOf);
}
