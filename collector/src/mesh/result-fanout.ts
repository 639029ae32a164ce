// Hands results to every sink as ResultBatches: results that complete within a short window go
// together, so a sink gets a few hundred-result batches a second rather than one call per ping.
// Stores (QuestDB) get a batch first; sinks that show results (stdout) get it once every store
// holds it, so whatever a collector printed survives a kill -9.
import type { HttpResult } from '../results/http-result.js';
import type { ResultBatch } from '../results/result-batch.js';
import type { ResultSink } from '../sinks/result-sink.js';

/** Collects HTTP results and writes them to the sinks in batches; passes ICMP batches straight on. */
export class ResultFanout {
  private pending: HttpResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly stores: readonly ResultSink[];
  private readonly shows: readonly ResultSink[];
  /** Settles once every batch written so far was shown, in order. */
  private shown: Promise<void> = Promise.resolve();
  private waitingToShow = 0;
  private readonly observers: ((batch: ResultBatch) => void)[] = [];

  constructor(
    readonly sinks: readonly ResultSink[],
    private readonly windowMs = 200,
    private readonly maxBatch = 1000,
  ) {
    this.stores = sinks.filter((sink) => !sink.showsResults);
    this.shows = sinks.filter((sink) => sink.showsResults);
  }

  /** Queues one result; it reaches the sinks within `windowMs`. */
  push(result: HttpResult): void {
    this.pending.push(result);
    if (this.pending.length >= this.maxBatch) this.flushPending();
    else this.timer ??= setTimeout(() => this.flushPending(), this.windowMs);
  }

  /** Writes what is queued to every sink now. */
  flushPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = { family: 'http' as const, results: this.pending };
    this.pending = [];
    this.writeBatch(batch);
  }

  /** Also hands every batch to `observer` before the sinks (the trace scheduler's pair watch). */
  observe(observer: (batch: ResultBatch) => void): void {
    this.observers.push(observer);
  }

  /** Hands a ready batch (an ICMP sweep's) to the stores now and to the showing sinks once stored. */
  writeBatch(batch: ResultBatch): void {
    for (const observer of this.observers) {
      try {
        observer(batch);
      } catch (error) {
        process.stderr.write(`pingsphere: a result observer failed: ${String(error)}\n`);
      }
    }
    const receipts: Promise<void>[] = [];
    for (const sink of this.stores) {
      const receipt = this.write(sink, batch);
      if (receipt) receipts.push(receipt);
    }
    if (this.shows.length === 0) return;
    if (receipts.length === 0 && this.waitingToShow === 0) {
      for (const sink of this.shows) void this.write(sink, batch);
      return;
    }
    // In order: a batch is shown after the batches before it, even if its store answered first.
    this.waitingToShow += 1;
    this.shown = Promise.all([this.shown, ...receipts]).then(() => {
      this.waitingToShow -= 1;
      for (const sink of this.shows) void this.write(sink, batch);
    });
  }

  /** Batches stored but not shown yet (for tests and health figures). */
  get unshownBatches(): number {
    return this.waitingToShow;
  }

  /** Writes what is queued, then closes the stores (which delivers or spools), then the rest. */
  async close(): Promise<void> {
    this.flushPending();
    await Promise.all(this.stores.map((sink) => sink.close()));
    await this.shown;
    await Promise.all(this.shows.map((sink) => sink.close()));
  }

  private write(sink: ResultSink, batch: ResultBatch): Promise<void> | void {
    try {
      // A store's receipt never rejects; a broken one must not stop the showing sinks either.
      return sink.write(batch)?.catch((error: unknown) => this.complain(sink, error));
    } catch (error) {
      // A sink must not throw into the prober; if one does anyway, say so and carry on.
      this.complain(sink, error);
    }
  }

  private complain(sink: ResultSink, error: unknown): void {
    process.stderr.write(`pingsphere: sink ${sink.name} failed to accept a batch: ${String(error)}\n`);
  }
}
