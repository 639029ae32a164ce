// The engine's batches, handed over by its thread-safe callback ('batch' … then 'done', with an
// error text if it failed), read as an async iterable. Shared by IcmpSweep and IcmpTrace.

/** What both native handles offer: start with an event callback, stop. */
export interface BatchSource {
  start(onEvent: (kind: 'batch' | 'done', payload: unknown) => void): void;
  stop(): void;
}

export class BatchStream<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private waiter: (() => void) | undefined;
  private started = false;
  private finished = false;
  private failure: Error | undefined;

  /** `what` names the run in a failure ("ICMP sweep" → "ICMP sweep failed: …"). */
  constructor(
    private readonly source: BatchSource,
    private readonly what: string,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.source.start((kind, payload) => {
      if (kind === 'batch') {
        this.queue.push(payload as T);
      } else {
        this.finished = true;
        if (typeof payload === 'string') this.failure = new Error(`${this.what} failed: ${payload}`);
      }
      const wake = this.waiter;
      this.waiter = undefined;
      wake?.();
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    this.start();
    try {
      for (;;) {
        const batch = this.queue.shift();
        if (batch) {
          yield batch;
          continue;
        }
        if (this.finished) {
          if (this.failure) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      // A consumer that leaves early (break, throw) must not leave probes going out.
      if (!this.finished) this.source.stop();
    }
  }
}
