// The collector's ICMP side: sweeps the targets file every --icmp-interval seconds and hands each
// batch to the sinks. Targets are read and hostnames resolved at start; while some hostnames do
// not resolve (a peer container not started yet), the file is read again before each sweep.
import type { ResultBatch } from '../results/result-batch.js';
import { buildTargetList } from './build-target-list.js';
import { icmpBatchFromProbes } from './icmp-batches.js';
import { startSweep, type SweepRun } from './run-sweep.js';
import { defaultSweepOptions, type SweepOptions } from './sweep-options.js';
import { readTargetSpecs } from './target-input.js';
import type { TargetList } from './target-list.js';

export interface SweepSchedulerOptions {
  targetsFile: string;
  intervalSeconds: number;
  ratePps: number;
  timeoutMs: number;
  /** Fixed flows per target; each sweep starts one flow further, so one probe per sweep covers them all. */
  flows?: number;
  timestamps?: SweepOptions['timestamps'];
  src: string;
  srcLoc: string;
  /** Where each result batch goes (the collector's sinks). */
  deliver: (batch: ResultBatch) => void;
  log: (line: string) => void;
}

/** Figures over the scheduler's life, for /metrics and the end-of-run summary. */
export interface SweepSchedulerStats {
  sweeps: number;
  skipped: number;
  probes: number;
  replies: number;
  /** Replies timed from the user send time because their kernel TX stamp was missing. */
  txStampFallbacks: number;
  /** How the last sweep timed its RTTs ('hardware', 'software', 'user'; '' before the first). */
  timestampMode: string;
}

/** Runs a sweep of the same targets every interval; a sweep still running when the next is due
 * makes that slot skipped (and counted), never two sweeps at once. */
export class SweepScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: SweepRun | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly figures: SweepSchedulerStats = {
    sweeps: 0,
    skipped: 0,
    probes: 0,
    replies: 0,
    txStampFallbacks: 0,
    timestampMode: '',
  };

  private constructor(
    private readonly options: SweepSchedulerOptions,
    private targets: TargetList,
    private unresolved: number,
    private readonly sweepOptions: SweepOptions,
  ) {}

  /**
   * Reads the targets and opens a first sweep's sockets right away, so a bad file or missing
   * privileges stop the collector at start with the message that says how to fix them.
   */
  static async create(options: SweepSchedulerOptions): Promise<SweepScheduler> {
    const { targets, unresolved } = await buildTargetList(readTargetSpecs([], [options.targetsFile]));
    for (const host of unresolved)
      options.log(`Warning: ICMP target ${host.name} did not resolve (${host.reason}); skipped`);
    const sweepOptions: SweepOptions = {
      ...defaultSweepOptions,
      ratePps: options.ratePps,
      timeoutMs: options.timeoutMs,
      flows: options.flows ?? 1,
      timestamps: options.timestamps ?? 'auto',
      src: options.src,
      srcLoc: options.srcLoc,
    };
    const scheduler = new SweepScheduler(options, targets, unresolved.length, sweepOptions);
    scheduler.current = startSweep(targets, sweepOptions);
    options.log(
      `ICMP: sweeping ${targets.size} targets every ${options.intervalSeconds} s (${scheduler.current.mode} sockets)`,
    );
    return scheduler;
  }

  /** Starts the first sweep now and the next ones every interval. */
  start(): void {
    this.runSweep();
    this.timer = setInterval(() => this.runSweep(), this.options.intervalSeconds * 1000);
  }

  stats(): SweepSchedulerStats {
    return { ...this.figures };
  }

  /** Stops the schedule and the sweep in progress (its in-flight probes are reported lost). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.current?.stop();
    await this.running;
  }

  private runSweep(): void {
    if (this.stopped) return;
    if (this.running) {
      this.figures.skipped += 1;
      this.options.log('ICMP: previous sweep still running, this interval is skipped');
      return;
    }
    this.running = this.sweepOnce()
      .catch((error: Error) => this.options.log(`ICMP: sweep failed: ${error.message}`))
      .finally(() => {
        this.running = undefined;
        this.current = undefined;
      });
  }

  private async sweepOnce(): Promise<void> {
    if (!this.current && this.unresolved > 0) await this.reloadTargets();
    if (this.stopped) return;
    const sweep = this.current ?? startSweep(this.targets, { ...this.sweepOptions, firstFlow: this.figures.sweeps });
    this.current = sweep;
    await this.consume(sweep);
  }

  private async reloadTargets(): Promise<void> {
    const { targets, unresolved } = await buildTargetList(readTargetSpecs([], [this.options.targetsFile]));
    if (unresolved.length < this.unresolved) {
      this.options.log(
        `ICMP: ${this.unresolved - unresolved.length} more hostnames resolve now; sweeping ${targets.size} targets`,
      );
    }
    this.targets = targets;
    this.unresolved = unresolved.length;
  }

  private async consume(sweep: SweepRun): Promise<void> {
    let probes = 0;
    let replies = 0;
    const identity = { src: this.options.src, srcLoc: this.options.srcLoc };
    for await (const probeBatch of sweep.batches()) {
      const batch = icmpBatchFromProbes(probeBatch, sweep.targets, identity);
      probes += batch.length;
      for (let i = 0; i < batch.length; i++) if (batch.rttNs[i]! >= 0) replies += 1;
      this.options.deliver(batch);
    }
    const record = sweep.record();
    this.options.deliver({ family: 'icmp_sweep', results: [record] });
    this.figures.sweeps += 1;
    this.figures.probes += probes;
    this.figures.replies += replies;
    this.figures.txStampFallbacks += record.txStampFallbacks;
    this.figures.timestampMode = record.timestampMode;
    const lossPct = probes === 0 ? 0 : (100 * (probes - replies)) / probes;
    const fallbacks = record.txStampFallbacks > 0 ? `, ${record.txStampFallbacks} TX-stamp fallbacks` : '';
    this.options.log(
      `ICMP: sweep ${this.figures.sweeps}: ${probes} probes, ${replies} replies, ${lossPct.toFixed(1)}% loss (${record.timestampMode} time stamps${fallbacks})`,
    );
  }
}
