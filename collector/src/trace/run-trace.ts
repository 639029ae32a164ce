// The collector's way to trace paths: many targets in one engine run (native IcmpTrace), the
// probes' outcomes folded into one hop list per target and flow. `pingsphere trace` and the
// pathstore's scheduler (`runTraces`, the TraceRunner of trace-types.ts) both come through here.
import {
  AddonNotBuiltError,
  IcmpPermissionError,
  IcmpSocketError,
  IcmpTrace,
  TraceOutcome,
  type TraceBatch,
  type TraceStats,
} from '@pingsphere/native';
import { UsageError } from '../cli/usage-error.js';
import { parseIpv4, parseIpv6 } from '../icmp/target-spec.js';
import { TargetList } from '../icmp/target-list.js';
import type { HopResult, TraceOptions, TraceResult, TraceRunner } from './trace-types.js';

/** Most probes (targets × flows × hops × probes per hop) one trace run may plan. */
export const maxTraceProbes = 2 ** 24;
export const maxTraceFlows = 64;
export const maxProbesPerHop = 16;

/** Checks options a user (or a caller) gave; throws UsageError naming the flag and the fix. */
export function validateTraceOptions(options: TraceOptions): void {
  const firstTtl = options.firstTtl ?? 1;
  const integer = (value: number, min: number, max: number, what: string) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got ${value}`);
    }
  };
  integer(options.maxHops, 1, 255, '--max-hops');
  integer(firstTtl, 1, options.maxHops, '--first-ttl (at most --max-hops)');
  integer(options.probesPerHop, 1, maxProbesPerHop, '-q (probes per hop)');
  integer(options.flows, 1, maxTraceFlows, '--flows');
  if (!Number.isFinite(options.ratePps) || options.ratePps <= 0 || options.ratePps > 1_000_000) {
    throw new UsageError(`--rate must be a number of probes per second from 1 to 1000000, got ${options.ratePps}`);
  }
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > 60_000) {
    throw new UsageError(`the probe timeout must be 1 to 60000 ms, got ${options.timeoutMs}`);
  }
}

/** What a trace run knows while it runs. */
export interface TraceProgress {
  probesPlanned: number;
  sent: number;
  resolved: number;
}

interface HopTally {
  sent: number;
  received: number;
  rttSumMs: number;
  rttMinMs: number;
  rttMaxMs: number;
  /** Answers per responder (index into the run's responder list). */
  responders: Map<number, number>;
  /** An echo reply (the destination) or an unreachable came back at this TTL. */
  ended: boolean;
  reached: boolean;
}

/** A trace run in progress: iterate nothing, await `results()`. */
export class TraceRun {
  private readonly startedAtUs = Date.now() * 1000;
  private readonly responders: string[] = [];
  /** Per target × flow: TTL-indexed tallies. */
  private readonly tallies: (HopTally | undefined)[][];
  private readonly firstTtl: number;

  constructor(
    private readonly trace: IcmpTrace,
    readonly targets: TargetList,
    private readonly labels: readonly string[],
    private readonly options: TraceOptions,
  ) {
    this.firstTtl = options.firstTtl ?? 1;
    this.tallies = Array.from({ length: targets.size * options.flows }, () => []);
  }

  /** Runs the trace to its end (or stop()) and folds the outcomes into hop lists. */
  async results(): Promise<TraceResult[]> {
    for await (const batch of this.trace) this.add(batch);
    return this.fold();
  }

  progress(): TraceProgress {
    const stats = this.trace.stats();
    return { probesPlanned: stats.probesPlanned, sent: stats.sent, resolved: stats.resolved };
  }

  stats(): TraceStats {
    return this.trace.stats();
  }

  /** Stops sending; probes in flight count as lost and results() resolves soon after. */
  stop(): void {
    this.trace.stop();
  }

  private add(batch: TraceBatch): void {
    this.responders.push(...batch.newResponders);
    const flows = this.options.flows;
    for (let i = 0; i < batch.targetIndex.length; i++) {
      const hops = this.tallies[batch.targetIndex[i]! * flows + batch.flow[i]!]!;
      const ttl = batch.ttl[i]!;
      let tally = hops[ttl];
      if (!tally) {
        tally = {
          sent: 0,
          received: 0,
          rttSumMs: 0,
          rttMinMs: Infinity,
          rttMaxMs: -Infinity,
          responders: new Map(),
          ended: false,
          reached: false,
        };
        hops[ttl] = tally;
      }
      tally.sent++;
      const outcome = batch.outcome[i]!;
      if (outcome === TraceOutcome.lost) continue;
      const rttMs = batch.rttNs[i]! / 1e6;
      tally.received++;
      tally.rttSumMs += rttMs;
      tally.rttMinMs = Math.min(tally.rttMinMs, rttMs);
      tally.rttMaxMs = Math.max(tally.rttMaxMs, rttMs);
      const responder = batch.responder[i]!;
      tally.responders.set(responder, (tally.responders.get(responder) ?? 0) + 1);
      if (outcome !== TraceOutcome.timeExceeded) tally.ended = true;
      if (outcome === TraceOutcome.echoReply) tally.reached = true;
    }
  }

  private fold(): TraceResult[] {
    const results: TraceResult[] = [];
    const flows = this.options.flows;
    for (let target = 0; target < this.targets.size; target++) {
      for (let flow = 0; flow < flows; flow++) {
        const tallies = this.tallies[target * flows + flow]!;
        // The path ends at the first TTL the destination (or an unreachable) answered; without
        // one, after the last hop that answered at all (mtr's report drops the silent tail too).
        let last = -1;
        for (let ttl = this.firstTtl; ttl < tallies.length; ttl++) {
          const tally = tallies[ttl];
          if (!tally) continue;
          if (tally.ended) {
            last = ttl;
            break;
          }
          if (tally.received > 0) last = ttl;
        }
        const label = this.labels[target]!;
        const hops: HopResult[] = [];
        for (let ttl = this.firstTtl; ttl <= last; ttl++) hops.push(this.hop(label, flow, ttl, tallies[ttl]));
        results.push({
          target: label,
          flow,
          hops,
          reached: hops.at(-1)?.reached ?? false,
          startedAtUs: this.startedAtUs,
        });
      }
    }
    return results;
  }

  private hop(target: string, flow: number, ttl: number, tally: HopTally | undefined): HopResult {
    if (!tally || tally.received === 0) {
      const sent = tally?.sent ?? 0;
      return {
        target,
        flow,
        hop: ttl,
        addr: null,
        sent,
        received: 0,
        rttMsMin: null,
        rttMsAvg: null,
        rttMsMax: null,
        reached: false,
      };
    }
    // One flow keeps one path, so one responder per hop; if a router answers from several
    // addresses (or the path moved mid-trace), the one that answered most is the hop's.
    let best = -1;
    let bestCount = 0;
    for (const [responder, count] of tally.responders) {
      if (count > bestCount) [best, bestCount] = [responder, count];
    }
    return {
      target,
      flow,
      hop: ttl,
      addr: this.responders[best] ?? null,
      sent: tally.sent,
      received: tally.received,
      rttMsMin: tally.rttMinMs,
      rttMsAvg: tally.rttSumMs / tally.received,
      rttMsMax: tally.rttMaxMs,
      reached: tally.reached,
    };
  }
}

/**
 * Opens the trace's sockets for these targets (`labels[i]` names target i in the results;
 * default its address). Sending starts when results() is awaited.
 */
export function startTraces(targets: TargetList, options: TraceOptions, labels?: readonly string[]): TraceRun {
  validateTraceOptions(options);
  if (targets.size === 0) throw new UsageError('no targets to trace: give addresses or hostnames');
  const firstTtl = options.firstTtl ?? 1;
  const planned = targets.size * options.flows * (options.maxHops - firstTtl + 1) * options.probesPerHop;
  if (planned > maxTraceProbes) {
    throw new UsageError(
      `too many probes for one trace run: ${targets.size} targets × ${options.flows} flows × ${options.maxHops - firstTtl + 1} hops × ${options.probesPerHop} = ${planned}, at most ${maxTraceProbes}; lower --max-hops, -q or --flows, or split the targets`,
    );
  }
  const names = labels ?? Array.from({ length: targets.size }, (_, i) => targets.addressAt(i));
  try {
    const trace = IcmpTrace.open({
      ipv4: targets.ipv4Addresses(),
      ipv6: targets.ipv6Addresses(),
      flows: options.flows,
      firstTtl,
      maxTtl: options.maxHops,
      probesPerHop: options.probesPerHop,
      ratePps: options.ratePps,
      timeoutMs: options.timeoutMs,
    });
    return new TraceRun(trace, targets, names, options);
  } catch (error) {
    if (error instanceof IcmpPermissionError) {
      throw new UsageError(
        `${error.message}. Traces need raw sockets (ping sockets do not receive the routers' time-exceeded messages)`,
      );
    }
    if (error instanceof IcmpSocketError || error instanceof AddonNotBuiltError) throw new UsageError(error.message);
    throw error;
  }
}

/** Packs address strings (IPv4 or IPv6, no hostnames) in engine order; labels follow that order. */
export function traceTargetList(addresses: readonly string[]): { targets: TargetList; labels: string[] } {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const address of new Set(addresses)) (address.includes(':') ? v6 : v4).push(address);
  const targets = new TargetList();
  try {
    for (const address of v4) targets.addIpv4(parseIpv4(address));
    for (const address of v6) targets.addIpv6(parseIpv6(address));
  } catch (error) {
    throw new UsageError(`cannot trace: ${(error as Error).message} (give IPv4 or IPv6 addresses)`);
  }
  return { targets, labels: [...v4, ...v6] };
}

/** The TraceRunner of trace-types.ts: every target traced in parallel in one engine run. */
export const runTraces: TraceRunner = async (addresses, options) => {
  const { targets, labels } = traceTargetList(addresses);
  return startTraces(targets, options, labels).results();
};
