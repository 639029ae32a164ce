// The collector's ICMP side: sweeps the target inventory every --icmp-interval seconds and hands
// each batch to the sinks. Changes to the inventory (file, API, --targets-from) and hostnames whose
// DNS answer expired are applied between sweeps: before a sweep starts its plan is rebuilt if
// anything changed; a sweep in flight finishes on the list it started with.
import type { ResultBatch } from '../results/result-batch.js';
import { buildSweepPlan, inventoryHostnames, SweepPlan, type AddressFence } from '../inventory/sweep-plan.js';
import type { TargetInventory } from '../inventory/target-inventory.js';
import type { HostnameResolver } from './hostname-resolver.js';
import { icmpBatchFromProbes } from './icmp-batches.js';
import { startSweep, type SweepRun } from './run-sweep.js';
import { defaultSweepOptions, type SweepOptions } from './sweep-options.js';
import { TargetList } from './target-list.js';
import { maxSweepTargets } from './target-spec.js';

export interface SweepSchedulerOptions {
  inventory: TargetInventory;
  resolver: HostnameResolver;
  /** Addresses of --targets-from hostnames must pass this fence. */
  remoteFence?: AddressFence;
  /**
   * Told of each new plan before its first sweep (the targets table). Not waited for: a slow or
   * absent QuestDB must not delay probing, and the roll-ups that join the targets table refresh a
   * closed minute or hour, by when its rows are in place.
   */
  onPlan?: (plan: SweepPlan) => Promise<void>;
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
  /** Addresses in the current plan. */
  targets: number;
  /** Hostnames with no address to probe. */
  unresolved: number;
  /** Plans built (the first one, then one per applied change). */
  plans: number;
}

/** Runs a sweep of the same targets every interval; a sweep still running when the next is due
 * makes that slot skipped (and counted), never two sweeps at once. */
export class SweepScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: SweepRun | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly figures = {
    sweeps: 0,
    skipped: 0,
    probes: 0,
    replies: 0,
    txStampFallbacks: 0,
    timestampMode: '',
    plans: 0,
  };
  private plan: SweepPlan;
  private saidEmpty = false;

  private constructor(
    private readonly options: SweepSchedulerOptions,
    private readonly sweepOptions: SweepOptions,
  ) {
    this.plan = new SweepPlan(new TargetList(), [], new Uint8Array(0), new Uint32Array(0), -1, emptySkips(), []);
  }

  /**
   * Plans the first sweep and opens its sockets right away, so missing privileges stop the
   * collector at start with the message that says how to fix them (with an empty inventory, a
   * socket is opened toward 127.0.0.1 for the same check and closed again).
   */
  static async create(options: SweepSchedulerOptions): Promise<SweepScheduler> {
    const sweepOptions: SweepOptions = {
      ...defaultSweepOptions,
      ratePps: options.ratePps,
      timeoutMs: options.timeoutMs,
      flows: options.flows ?? 1,
      timestamps: options.timestamps ?? 'auto',
      src: options.src,
      srcLoc: options.srcLoc,
    };
    const scheduler = new SweepScheduler(options, sweepOptions);
    await scheduler.replan();
    const probe = scheduler.plan.size > 0 ? scheduler.plan.targets : loopbackOnly();
    const first = startSweep(probe, sweepOptions);
    if (scheduler.plan.size > 0) scheduler.current = first;
    else first.stop();
    options.log(
      `ICMP: sweeping ${scheduler.plan.size} targets every ${options.intervalSeconds} s (${first.mode} sockets)`,
    );
    return scheduler;
  }

  /** Starts the first sweep now and the next ones every interval. */
  start(): void {
    this.runSweep();
    this.timer = setInterval(() => this.runSweep(), this.options.intervalSeconds * 1000);
  }

  stats(): SweepSchedulerStats {
    return { ...this.figures, targets: this.plan.size, unresolved: this.plan.skips.unresolved };
  }

  /** The plan of the latest sweep (what the collector probes now). */
  get currentPlan(): SweepPlan {
    return this.plan;
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
    if (!this.current && (await this.replanIfNeeded())) {
      this.options.log(`ICMP: targets changed; this sweep probes ${this.plan.size} targets`);
    }
    if (this.stopped) return;
    if (this.plan.size === 0) {
      if (!this.saidEmpty)
        this.options.log('ICMP: no targets to sweep; waiting for some (file, /v1/targets, --targets-from)');
      this.saidEmpty = true;
      return;
    }
    this.saidEmpty = false;
    const sweep =
      this.current ?? startSweep(this.plan.targets, { ...this.sweepOptions, firstFlow: this.figures.sweeps });
    this.current = sweep;
    await this.consume(sweep);
  }

  /** Rebuilds the plan when the inventory changed or a hostname's answer expired. */
  private async replanIfNeeded(): Promise<boolean> {
    const { inventory, resolver } = this.options;
    const changed = inventory.generation !== this.plan.generation;
    if (!changed && resolver.due(this.plan.hostnames).length === 0) return false;
    const before = this.plan;
    const resolvedDifferently = await this.replan();
    return changed || this.plan.size !== before.size || resolvedDifferently;
  }

  /** Resolves due hostnames and builds a new plan; true when a hostname's addresses changed. */
  private async replan(): Promise<boolean> {
    const { inventory, resolver, log } = this.options;
    const report = await resolver.refresh(inventoryHostnames(inventory));
    for (const failure of report.failed) {
      log(
        `Warning: ICMP target ${failure.name} did not resolve (${failure.reason}); ` +
          (failure.stale ? 'probing its last address meanwhile' : 'skipped') +
          ', trying again before a later sweep',
      );
    }
    for (const name of report.changed) {
      const addresses = resolver.addresses(name);
      log(`ICMP: ${name} resolves to ${addresses.join(', ') || 'nothing'} now`);
    }
    const before = this.plan;
    this.plan = buildSweepPlan(inventory, resolver, {
      maxTargets: maxSweepTargets,
      ...(this.options.remoteFence ? { remoteFence: this.options.remoteFence } : {}),
    });
    this.figures.plans++;
    const { overLimit, fenced } = this.plan.skips;
    // Said when the count changes, not at every re-plan (a TTL of seconds re-plans often).
    if (overLimit > 0 && overLimit !== before.skips.overLimit) {
      log(`Warning: ICMP: ${overLimit} targets left out: one sweep holds at most ${maxSweepTargets}`);
    }
    if (fenced > 0 && fenced !== before.skips.fenced) {
      log(`Warning: ICMP: ${fenced} addresses from --targets-from hostnames are outside --targets-allow; not probed`);
    }
    // The writer reports its own failures and retries.
    this.options.onPlan?.(this.plan).catch(() => undefined);
    return report.changed.length > 0;
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

function emptySkips() {
  return { duplicates: 0, unresolved: 0, overLimit: 0, fenced: 0 };
}

function loopbackOnly(): TargetList {
  const list = new TargetList();
  list.addIpv4(0x7f000001);
  return list;
}
