// Hands results to every sink as ResultBatches: results that complete within a short window go
// together, so a sink gets a few hundred-result batches a second rather than one call per ping.
import type { HttpResult } from '../results/http-result.js';
import type { ResultBatch } from '../results/result-batch.js';
import type { ResultSink } from '../sinks/result-sink.js';

/** Collects HTTP results and writes them to the sinks in batches; passes ICMP batches straight on. */
export class ResultFanout {
  private pending: HttpResult[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly sinks: readonly ResultSink[],
    private readonly windowMs = 200,
    private readonly maxBatch = 1000,
  ) {}

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

  /** Hands a ready batch (an ICMP sweep's) to every sink at once. */
  writeBatch(batch: ResultBatch): void {
    for (const sink of this.sinks) {
      try {
        sink.write(batch);
      } catch (error) {
        // A sink must not throw into the prober; if one does anyway, say so and carry on.
        process.stderr.write(`pingsphere: sink ${sink.name} failed to accept a batch: ${String(error)}\n`);
      }
    }
  }

  /** Writes what is queued, then flushes and closes every sink. */
  async close(): Promise<void> {
    this.flushPending();
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
