// The collector's way to run an ICMP sweep: targets + options in, IcmpResult batches out.
// `pingsphere icmp` uses it once; `pingsphere collect` can run it every --icmp-interval seconds.
import {
  AddonNotBuiltError,
  IcmpPermissionError,
  IcmpSocketError,
  IcmpSweep,
  type ProbeBatch,
  type SocketMode,
  type SweepProgress,
  type SweepStats,
} from '@pingsphere/native';
import type { IcmpResult } from '../results/icmp-result.js';
import type { IcmpSweepRecord } from '../results/icmp-sweep-record.js';
import { UsageError } from '../cli/usage-error.js';
import { parseIpv4, parseIpv6 } from './target-spec.js';
import type { TargetList } from './target-list.js';
import { validateSweepOptions, type SweepOptions } from './sweep-options.js';

/** Most probes (targets × count) one sweep may hold: the engine keeps one "answered" bit each. */
export const maxSweepProbes = 2 ** 28;

/** A sweep in progress. Iterate `batches()` (typed arrays) or the object itself (IcmpResult[]). */
export class SweepRun implements AsyncIterable<IcmpResult[]> {
  private startedAtUs = 0;

  constructor(
    private readonly sweep: IcmpSweep,
    readonly targets: TargetList,
    private readonly options: SweepOptions,
  ) {}

  /** 'raw' (CAP_NET_RAW) or 'ping' (unprivileged ping sockets). */
  get mode(): SocketMode {
    return this.sweep.mode;
  }

  /** The engine's own batches: cheapest to consume for large sweeps. */
  batches(): AsyncIterable<ProbeBatch> {
    this.startedAtUs ||= Date.now() * 1000;
    return this.sweep;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<IcmpResult[]> {
    for await (const batch of this.batches()) yield toIcmpResults(batch, this.targets, this.options);
  }

  /** The finished sweep's facts for the `icmp_sweep` table (call after iterating). */
  record(): IcmpSweepRecord {
    const stats = this.sweep.stats();
    return {
      tsUs: this.startedAtUs || Date.now() * 1000,
      src: this.options.src,
      srcLoc: this.options.srcLoc,
      targets: this.targets.size,
      probes: stats.replies + stats.lost,
      replies: stats.replies,
      lost: stats.lost,
      timestampMode: stats.timestampMode,
      txStampFallbacks: stats.txStampFallbacks,
      socketMode: this.sweep.mode,
      senders: stats.senders,
      flows: this.options.flows ?? 1,
      rejected: stats.duplicates + stats.late + stats.badCookie + stats.foreign,
      kernelDrops: stats.kernelDrops,
      sweepSeconds: stats.sweepSeconds,
    };
  }

  progress(): SweepProgress {
    return this.sweep.progress();
  }

  stats(): SweepStats {
    return this.sweep.stats();
  }

  /** Stops sending; in-flight probes are reported lost and iteration ends. */
  stop(): void {
    this.sweep.stop();
  }
}

/** Opens the sockets and prepares the sweep; sending starts when it is iterated. */
export function startSweep(targets: TargetList, options: SweepOptions): SweepRun {
  validateSweepOptions(options);
  if (targets.size === 0) {
    throw new UsageError('no targets: give addresses, hostnames or CIDR ranges as arguments, or a file with -f FILE');
  }
  if (targets.size * options.count > maxSweepProbes) {
    throw new UsageError(
      `too many probes for one sweep: ${targets.size} targets × ${options.count} = ${targets.size * options.count}, at most ${maxSweepProbes}; lower -c/--count or split the targets`,
    );
  }
  const source = options.sourceAddress;
  try {
    const sweep = IcmpSweep.open({
      ipv4: targets.ipv4Addresses(),
      ipv6: targets.ipv6Addresses(),
      count: options.count,
      periodMs: options.periodMs,
      timeoutMs: options.timeoutMs,
      ratePps: options.ratePps === 'unlimited' ? 0 : options.ratePps,
      payloadBytes: options.payloadBytes,
      ttl: options.ttl ?? 0,
      socketMode: options.socketMode,
      senders: typeof options.senders === 'number' ? options.senders : 0,
      timestamps: options.timestamps ?? 'auto',
      flows: options.flows ?? 1,
      firstFlow: (options.firstFlow ?? 0) % (options.flows ?? 1),
      ...(source !== undefined && !source.includes(':') ? { sourceIpv4: parseIpv4(source) } : {}),
      ...(source !== undefined && source.includes(':') ? { sourceIpv6: parseIpv6(source) } : {}),
      ...(options.interfaceName !== undefined ? { interfaceName: options.interfaceName } : {}),
    });
    return new SweepRun(sweep, targets, options);
  } catch (error) {
    // Missing privileges, addon or kernel features are the user's to fix: one clear line.
    if (
      error instanceof IcmpPermissionError ||
      error instanceof IcmpSocketError ||
      error instanceof AddonNotBuiltError
    ) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

/** Runs one sweep and yields its results in batches (the collector's entry point). */
export function runSweep(targets: TargetList, options: SweepOptions): AsyncIterable<IcmpResult[]> {
  return startSweep(targets, options);
}

/** Maps one engine batch to the shared result shape. */
export function toIcmpResults(batch: ProbeBatch, targets: TargetList, options: SweepOptions): IcmpResult[] {
  const results: IcmpResult[] = new Array(batch.targetIndex.length);
  for (let i = 0; i < results.length; i++) {
    const rttNs = batch.rttNs[i]!;
    results[i] = {
      tsUs: batch.sendTimeUs[i]!,
      src: options.src,
      srcLoc: options.srcLoc,
      dst: targets.addressAt(batch.targetIndex[i]!),
      seq: batch.seq[i]!,
      rttMs: rttNs < 0 ? null : rttNs / 1e6,
      flow: batch.flow[i]!,
    };
  }
  return results;
}
