// Turns traces into `path` rows: where the added latency appears (the hop whose RTT rises most over
// the previous answering hop) and whether the hop list changed since the previous trace of the same
// (dst, flow). The previous hop lists are kept per traced (dst, flow) only: a few hundred bytes for
// each pair that was ever traced, not per swept target.
import type { PathRecord, TraceReason } from '../results/path-record.js';
import type { HopResult, TraceResult } from './trace-types.js';

/** Who traced and why: the columns a trace result does not carry. */
export interface PathContext {
  src: string;
  srcLoc: string;
  /** The pair's destination as the tables name it (ICMP target, HTTP peer host). */
  dst: string;
  reason: TraceReason;
}

/** Each hop's RTT rise over the previous answering hop (null when silent), and the hop that rises most. */
export function hopJumps(hops: readonly HopResult[]): { jumpMs: (number | null)[]; slowest: number } {
  let previousMs = 0;
  let slowest = -1;
  let largest = 0;
  const jumpMs = hops.map((hop, i) => {
    if (hop.rttMsAvg === null) return null;
    const jump = hop.rttMsAvg - previousMs;
    previousMs = hop.rttMsAvg;
    if (jump > largest) {
      slowest = i;
      largest = jump;
    }
    return jump;
  });
  return { jumpMs, slowest };
}

/**
 * Whether two hop lists (responding address per hop, null for silent) are different paths. A silent
 * hop matches any address (a router that rate-limits its answers is not a new router); a different
 * address at a hop, or a path that ends at another hop, is a change.
 */
export function pathsDiffer(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  const end = (list: readonly (string | null)[]) => {
    let n = list.length;
    while (n > 0 && list[n - 1] === null) n--;
    return n;
  };
  if (end(a) !== end(b)) return true;
  for (let i = 0; i < end(a); i++) if (a[i] !== null && b[i] !== null && a[i] !== b[i]) return true;
  return false;
}

/** Remembers the last hop list of each (dst, flow) and makes the rows of each new trace. */
export class PathHistory {
  private readonly last = new Map<string, (string | null)[]>();

  /** The rows of one trace, one per hop, in hop order. */
  records(trace: TraceResult, context: PathContext): PathRecord[] {
    const hops = [...trace.hops].sort((x, y) => x.hop - y.hop);
    const addresses = hops.map((hop) => hop.addr);
    const key = `${context.dst}\u0000${trace.flow}`;
    const previous = this.last.get(key);
    const pathChange = previous !== undefined && pathsDiffer(previous, addresses);
    this.last.set(key, addresses);
    const { jumpMs, slowest } = hopJumps(hops);
    return hops.map((hop, i) => ({
      tsUs: trace.startedAtUs,
      src: context.src,
      srcLoc: context.srcLoc,
      dst: context.dst,
      dstIp: trace.target,
      flow: trace.flow,
      hop: hop.hop,
      addr: hop.addr,
      sent: hop.sent,
      received: hop.received,
      rttMsMin: hop.rttMsMin,
      rttMsAvg: hop.rttMsAvg,
      rttMsMax: hop.rttMsMax,
      loss: hop.sent > 0 ? (hop.sent - hop.received) / hop.sent : null,
      rttJumpMs: jumpMs[i]!,
      slowHop: i === slowest,
      reached: hop.reached,
      pathChange,
      reason: context.reason,
    }));
  }

  /** (dst, flow) pairs remembered. */
  get size(): number {
    return this.last.size;
  }
}
