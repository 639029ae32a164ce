// The collector's tracing (--trace-on-change, --trace-interval): every result batch passes the pair
// watch; a pair that degrades is queued for a trace, and every --trace-interval a round traces every
// pair the collector measures. Traces run through the TraceRunner in batches (many targets per
// engine run, one run at a time), triggered ones before the scheduled round, and each run's hops
// go to the sinks as one `path` batch.
import type { PathRecord, TraceReason } from '../results/path-record.js';
import type { ResultBatch } from '../results/result-batch.js';
import { PairWatch, type ChangeThresholds, type PairTrigger, type WatchedPair } from './pair-watch.js';
import { PathHistory } from './path-history.js';
import type { TraceOptions, TraceResult, TraceRunner } from './trace-types.js';

export interface TraceSchedulerOptions {
  runner: TraceRunner;
  trace: TraceOptions;
  /** Thresholds of --trace-on-change; null: no triggered traces. */
  onChange: ChangeThresholds | null;
  /** --trace-interval: seconds between scheduled rounds over every pair; null: none. */
  intervalSeconds: number | null;
  /** Targets per engine run. */
  batchTargets: number;
  /** Triggered traces waiting at most (a degradation at the collector itself can trigger every pair). */
  maxQueued: number;
  src: string;
  srcLoc: string;
  deliver: (batch: ResultBatch) => void;
  log: (line: string) => void;
  /** Longest wait for a trace in progress when stopping. */
  stopGraceMs?: number;
}

export interface TraceSchedulerStats {
  /** Engine runs and the traces (target × flow) they returned. */
  runs: number;
  traces: number;
  hops: number;
  pathChanges: number;
  failedRuns: number;
  queued: number;
  /** Triggered traces not queued because the queue was full. */
  dropped: number;
  /** Scheduled rounds that were due while the previous one still ran. */
  roundsSkipped: number;
  pairs: number;
  triggers: number;
  heldOff: number;
}

interface Request {
  address: string;
  /** The pairs' names that trace this address (an address can be an ICMP target and an HTTP peer). */
  dsts: Set<string>;
  reason: TraceReason;
  detail: string;
}

/** Runs triggered and scheduled traces and writes their paths; see the file comment. */
export class TraceScheduler {
  readonly watch: PairWatch;
  private readonly history = new PathHistory();
  private readonly urgent = new Map<string, Request>();
  /** Where the scheduled round continues in the watch's pairs (-1: no round in progress). */
  private roundCursor = -1;
  private running: Promise<void> | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  private roundTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private abandoned = false;
  private lastError = '';
  private readonly figures = {
    runs: 0,
    traces: 0,
    hops: 0,
    pathChanges: 0,
    failedRuns: 0,
    dropped: 0,
    roundsSkipped: 0,
  };

  constructor(private readonly options: TraceSchedulerOptions) {
    this.watch = new PairWatch(options.onChange, (trigger) => this.triggered(trigger));
  }

  /** Starts judging windows (with --trace-on-change) and the scheduled rounds (with --trace-interval). */
  start(): void {
    const { onChange, intervalSeconds } = this.options;
    if (onChange) this.windowTimer = setInterval(() => this.watch.closeWindow(), onChange.windowSeconds * 1000);
    if (intervalSeconds !== null) this.roundTimer = setInterval(() => this.startRound(), intervalSeconds * 1000);
    const what = [
      onChange ? `on change (p50 over ${onChange.windowSeconds} s vs ${onChange.baselineSeconds} s baseline)` : '',
      intervalSeconds !== null ? `every ${intervalSeconds} s` : '',
    ].filter(Boolean);
    this.options.log(`trace: tracing pairs ${what.join(' and ')}`);
  }

  /** Every result batch the collector makes (the watch keeps what it needs of it). */
  observe(batch: ResultBatch): void {
    if (!this.stopped) this.watch.observe(batch);
  }

  /** Queues a trace of `address` for the pair `dst` (triggered, or asked for by a person). */
  request(pair: WatchedPair, reason: TraceReason, detail = ''): void {
    if (this.stopped) return;
    const queued = this.urgent.get(pair.address);
    if (queued) queued.dsts.add(pair.dst);
    else if (this.urgent.size >= this.options.maxQueued) this.figures.dropped += 1;
    else this.urgent.set(pair.address, { address: pair.address, dsts: new Set([pair.dst]), reason, detail });
    this.kick();
  }

  /** Begins a round over every pair now (also what each --trace-interval tick does). */
  startRound(): void {
    if (this.stopped) return;
    if (this.roundCursor >= 0) {
      this.figures.roundsSkipped += 1;
      this.options.log('trace: previous scheduled round still running, this interval is skipped');
      return;
    }
    if (this.watch.size === 0) return;
    this.roundCursor = 0;
    this.kick();
  }

  /** Resolves when no trace runs and none is waiting (for tests and a clean stop). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stats(): TraceSchedulerStats {
    const watch = this.watch.stats();
    return {
      ...this.figures,
      queued: this.urgent.size,
      pairs: watch.pairs,
      triggers: watch.triggers,
      heldOff: watch.heldOff,
    };
  }

  /** Stops the timers; a run in progress may finish (its paths are written) within the grace time. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.windowTimer);
    clearInterval(this.roundTimer);
    this.urgent.clear();
    this.roundCursor = -1;
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.stopGraceMs ?? 5000)));
    await Promise.race([this.running, grace]);
    clearTimeout(timer);
    // Past the grace time the sinks close: a run that still ends later keeps its paths to itself.
    this.abandoned = this.running !== undefined;
    if (this.abandoned) this.options.log('trace: a trace still running at shutdown was abandoned');
  }

  private triggered(trigger: PairTrigger): void {
    this.options.log(`trace: ${trigger.dst} (${trigger.address}) degraded: ${trigger.detail}; tracing it`);
    this.request(trigger, trigger.reason, trigger.detail);
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    const batch = this.nextBatch();
    if (batch.length === 0) return;
    this.running = this.run(batch).finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  /** Triggered requests first, then the scheduled round's next pairs. */
  private nextBatch(): Request[] {
    const max = this.options.batchTargets;
    const batch: Request[] = [];
    for (const request of this.urgent.values()) {
      if (batch.length >= max) break;
      batch.push(request);
      this.urgent.delete(request.address);
    }
    if (batch.length < max && this.roundCursor >= 0) {
      const byAddress = new Map(batch.map((r) => [r.address, r]));
      const { pairs, next } = this.watch.pairsFrom(this.roundCursor, max - batch.length);
      this.roundCursor = next;
      for (const pair of pairs) {
        const same = byAddress.get(pair.address);
        if (same) {
          same.dsts.add(pair.dst);
          continue;
        }
        const request: Request = { address: pair.address, dsts: new Set([pair.dst]), reason: 'scheduled', detail: '' };
        byAddress.set(pair.address, request);
        batch.push(request);
      }
    }
    return batch;
  }

  private async run(batch: Request[]): Promise<void> {
    let results: TraceResult[];
    try {
      results = await this.options.runner(
        batch.map((r) => r.address),
        this.options.trace,
      );
    } catch (error) {
      this.figures.failedRuns += 1;
      const message = (error as Error).message;
      // The same failure every run (no raw-socket privilege, say) is said once.
      if (message !== this.lastError) this.options.log(`trace: tracing ${batch.length} targets failed: ${message}`);
      this.lastError = message;
      return;
    }
    this.lastError = '';
    this.figures.runs += 1;
    const byAddress = new Map(batch.map((r) => [r.address, r]));
    const records: PathRecord[] = [];
    for (const trace of results) {
      const request = byAddress.get(trace.target);
      if (!request) continue;
      this.figures.traces += 1;
      for (const dst of request.dsts) {
        const { src, srcLoc } = this.options;
        const rows = this.history.records(trace, { src, srcLoc, dst, reason: request.reason });
        records.push(...rows);
        if (request.reason !== 'scheduled' || rows[0]?.pathChange) this.say(trace, dst, rows, request);
        if (rows[0]?.pathChange) this.figures.pathChanges += 1;
      }
    }
    if (this.abandoned) return;
    this.figures.hops += records.length;
    if (records.length > 0) this.options.deliver({ family: 'path', results: records });
  }

  private say(trace: TraceResult, dst: string, rows: PathRecord[], request: Request): void {
    const slow = rows.find((r) => r.slowHop);
    const parts = [
      `${rows.length} hops`,
      trace.reached ? 'reached' : 'not reached',
      slow ? `latency added at hop ${slow.hop} (${slow.addr ?? '*'}, +${slow.rttJumpMs!.toFixed(2)} ms)` : '',
      rows[0]?.pathChange ? 'path changed' : '',
    ].filter(Boolean);
    this.options.log(`trace: ${dst} (${trace.target}, flow ${trace.flow}, ${request.reason}): ${parts.join(', ')}`);
  }
}
