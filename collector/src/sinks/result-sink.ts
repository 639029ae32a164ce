import type { ResultBatch } from '../results/result-batch.js';

/** Delivery counters every sink reports; drops are counted, never silent. */
export interface SinkStats {
  /** Results handed to the destination and acknowledged by it. */
  delivered: number;
  /** Results accepted but not yet delivered (in memory or in a spool). */
  pending: number;
  /** Results given up on (queue overflow, rejected content), with the reason in the sink's log. */
  dropped: number;
}

/**
 * A destination for probe results (QuestDB, CloudWatch, stdout). `write` must return at once and
 * never throw into the prober: a sink queues, batches and retries on its own time.
 */
export interface ResultSink {
  readonly name: string;
  /**
   * Takes a batch. A store of record (QuestDB) returns a promise that resolves once the batch is
   * durable there: acknowledged by the store, fsync'd in its spool, or counted dropped. It never
   * rejects.
   */
  write(batch: ResultBatch): void | Promise<void>;
  /**
   * Set on a sink that shows results to a person or a pipe (stdout): it gets each batch only once
   * every store holds it, so a result that was shown is never lost in a crash of the collector.
   */
  readonly showsResults?: boolean;
  /** Resolves when everything written so far was delivered or set aside (spooled, counted). */
  flush(): Promise<void>;
  /** Flushes, then releases connections and timers. */
  close(): Promise<void>;
  stats(): SinkStats;
}
