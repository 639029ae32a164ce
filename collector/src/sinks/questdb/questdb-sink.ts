import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, SenderOptions, type SenderTransport } from '@questdb/nodejs-client';
import type { ResultBatch } from '../../results/result-batch.js';
import type { ResultSink, SinkStats } from '../result-sink.js';
import { DiskSpool } from '../spool/disk-spool.js';
import { formatQuestDbConfig, parseQuestDbConfig, type QuestDbEndpoint } from './questdb-config.js';
import { QuestDbRest } from './questdb-rest.js';
import { ensureSchema } from './questdb-schema.js';
import { encodeBatches } from './ilp-encoder.js';

export interface QuestDbSinkOptions {
  /** The client's configuration string, e.g. "http::addr=127.0.0.1:9000;". */
  conf: string;
  /** Folder of the on-disk spool (and of poison.ndjson, the rows QuestDB rejected). */
  spoolDir: string;
  spoolMaxBytes?: number;
  /** Rows per ILP request. */
  batchRows?: number;
  /** Longest time a result waits in memory before it is sent. */
  flushIntervalMs?: number;
  /** Rows held in memory at most; beyond that they go to the spool. */
  maxQueueRows?: number;
  ttlDays?: number;
  /** Where warnings go (one line each). */
  warn?: (message: string) => void;
}

type Outcome = 'delivered' | 'unavailable';

/** Why QuestDB did not take a batch; decides between retrying later and setting rows aside. */
function classify(error: unknown): 'content' | 'auth' | 'unavailable' {
  const message = error instanceof Error ? error.message : String(error);
  if (/statusCode=400\b/.test(message)) return 'content';
  if (/statusCode=40[13]\b/.test(message)) return 'auth';
  return 'unavailable';
}

function countRows(batches: readonly ResultBatch[]): number {
  return batches.reduce((sum, b) => sum + b.results.length, 0);
}

/** Splits batches into two halves by row (for finding the rows QuestDB rejects). */
function halve(batches: readonly ResultBatch[]): [ResultBatch[], ResultBatch[]] {
  const flat = batches.flatMap((b) => b.results.map((r) => ({ family: b.family, r })));
  const regroup = (items: typeof flat): ResultBatch[] =>
    items.map(({ family, r }) => ({ family, results: [r] }) as ResultBatch);
  const middle = Math.ceil(flat.length / 2);
  return [regroup(flat.slice(0, middle)), regroup(flat.slice(middle))];
}

/**
 * The store of record. Results are queued in memory for at most `flushIntervalMs`, sent as ILP over
 * HTTP in batches, and, when QuestDB is unreachable or refuses a batch, kept in a durable spool and
 * replayed in order when it is back (also by a later process). Rows QuestDB rejects for their
 * content are found by bisection and set aside in poison.ndjson with the error; none is lost silently.
 */
export class QuestDbSink implements ResultSink {
  readonly name = 'questdb';
  private queue: ResultBatch[] = [];
  private queuedRows = 0;
  private delivered = 0;
  private poisoned = 0;
  private available = true;
  private schemaReady = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly pump: Promise<void>;
  private lastWarning = '';
  private transport: SenderTransport | undefined;

  private constructor(
    private readonly options: Required<Omit<QuestDbSinkOptions, 'ttlDays'>> & Pick<QuestDbSinkOptions, 'ttlDays'>,
    private readonly endpoint: QuestDbEndpoint,
    private readonly senderConf: string,
    private readonly rest: QuestDbRest,
    private readonly spool: DiskSpool,
  ) {
    this.pump = this.run();
  }

  /** Checks the configuration, opens the spool (with what earlier runs left) and starts delivering. */
  static async open(options: QuestDbSinkOptions): Promise<QuestDbSink> {
    const endpoint = parseQuestDbConfig(options.conf);
    // Fails fast when QuestDB is down: the spool, not the client's in-memory retry loop, is what
    // keeps rows through an outage. The client's default
    // undici transport retries a refused connection forever, ignoring retry_timeout (undici's
    // RetryAgent does not honour the abort during its backoff), so the stdlib transport is used.
    const clientOptions = new Map(endpoint.options);
    if (!clientOptions.has('retry_timeout')) clientOptions.set('retry_timeout', '1000');
    if (!clientOptions.has('stdlib_http')) clientOptions.set('stdlib_http', 'on');
    // Rows are encoded as ILP text (version 1) by ilp-encoder.ts.
    clientOptions.set('protocol_version', '1');
    const senderConf = formatQuestDbConfig(endpoint.protocol, clientOptions);
    const full = {
      spoolMaxBytes: 1024 ** 3,
      batchRows: 50_000,
      flushIntervalMs: 1000,
      maxQueueRows: 2_000_000,
      warn: (message: string) => process.stderr.write(`questdb sink: ${message}\n`),
      ...options,
    };
    const spool = await DiskSpool.open({
      dir: options.spoolDir,
      maxBytes: full.spoolMaxBytes,
      onDrop: (rows, reason) => full.warn(`dropped ${rows} spooled rows: ${reason}`),
    });
    if (!spool.isEmpty) full.warn(`replaying ${spool.pendingRows} rows spooled by an earlier run`);
    return new QuestDbSink(full, endpoint, senderConf, new QuestDbRest(endpoint), spool);
  }

  write(batch: ResultBatch): void {
    if (batch.results.length === 0) return;
    if (this.closed) {
      this.options.warn(`write after close: ${batch.results.length} rows not accepted`);
      return;
    }
    this.queue.push(batch);
    this.queuedRows += batch.results.length;
    // Deliver early when a full batch is waiting, or spool at once while QuestDB is away.
    if (this.queuedRows >= this.options.batchRows || !this.available) this.wake?.();
  }

  stats(): SinkStats {
    return {
      delivered: this.delivered,
      pending: this.queuedRows + this.spool.pendingRows,
      dropped: this.poisoned + this.spool.dropped,
    };
  }

  /** Spool figures, for health endpoints and logs. */
  spoolStats(): { rows: number; bytes: number; poisoned: number; available: boolean } {
    return {
      rows: this.spool.pendingRows,
      bytes: this.spool.bytes,
      poisoned: this.poisoned,
      available: this.available,
    };
  }

  async flush(): Promise<void> {
    if (this.queuedRows === 0 && (this.spool.isEmpty || !this.available)) return;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake?.();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.wake?.();
    await this.pump;
    // Whatever could not be delivered waits in the spool for the next run.
    if (this.queuedRows > 0) await this.spoolQueue();
    await this.transport?.close();
  }

  private async run(): Promise<void> {
    let retryDelayMs = 500;
    while (!this.closed) {
      await this.sleep(this.available ? this.options.flushIntervalMs : retryDelayMs);
      try {
        if (!this.available) {
          await this.spoolQueue();
          if (!(await this.probe())) {
            retryDelayMs = Math.min(retryDelayMs * 2, 5000);
            this.notifyIdleIfSettled();
            continue;
          }
          retryDelayMs = 500;
          this.available = true;
          this.lastWarning = '';
          this.options.warn(
            `QuestDB at ${this.rest.baseUrl} is back; replaying ${this.spool.pendingRows} spooled rows`,
          );
        }
        await this.deliverAll();
      } catch (error) {
        this.warnOnce(`unexpected error, will retry: ${(error as Error).message}`);
        this.available = false;
      }
      this.notifyIdleIfSettled();
    }
  }

  /** Delivers the spool (oldest first, preserving order) and then the memory queue. */
  private async deliverAll(): Promise<void> {
    while (this.available) {
      const segment = this.spool.oldest();
      if (segment) {
        if ((await this.deliver(await segment.read())) === 'unavailable') return;
        await this.spool.remove(segment.id);
        continue;
      }
      // A queue far beyond one batch means QuestDB is slower than the probes: keep memory bounded.
      if (this.queuedRows > this.options.maxQueueRows) await this.spoolQueue();
      const batches = this.takeFromQueue(this.options.batchRows);
      if (batches.length === 0) return;
      if ((await this.deliver(batches)) === 'unavailable') {
        await this.spool.append(batches);
        await this.spoolQueue();
        return;
      }
    }
  }

  /** Sends batches; on a content error, bisects to deliver the good rows and set aside the bad. */
  private async deliver(batches: readonly ResultBatch[]): Promise<Outcome> {
    const rows = countRows(batches);
    if (rows === 0) return 'delivered';
    try {
      if (!this.schemaReady) {
        const problems = await ensureSchema(
          this.rest,
          this.options.ttlDays === undefined ? {} : { ttlDays: this.options.ttlDays },
        );
        for (const problem of problems) this.options.warn(`schema: ${problem}`);
        this.schemaReady = true;
      }
      this.transport ??= createTransport(await SenderOptions.fromConfig(this.senderConf));
      await this.transport.send(encodeBatches(batches));
      this.delivered += rows;
      return 'delivered';
    } catch (error) {
      const kind = classify(error);
      if (kind !== 'content') {
        this.available = false;
        this.warnOnce(
          kind === 'auth'
            ? `QuestDB at ${this.rest.baseUrl} refused our credentials (${(error as Error).message}); rows are spooled until the configuration is fixed`
            : `QuestDB at ${this.rest.baseUrl} is unavailable (${(error as Error).message}); spooling rows to ${this.options.spoolDir}`,
        );
        return 'unavailable';
      }
      if (rows === 1) {
        await this.setAside(batches, (error as Error).message);
        return 'delivered';
      }
      for (const half of halve(batches)) {
        if ((await this.deliver(half)) === 'unavailable') return 'unavailable';
      }
      return 'delivered';
    }
  }

  private async setAside(batches: readonly ResultBatch[], error: string): Promise<void> {
    this.poisoned += countRows(batches);
    const line = JSON.stringify({ at: new Date().toISOString(), error, batches }) + '\n';
    await appendFile(join(this.options.spoolDir, 'poison.ndjson'), line);
    this.options.warn(`QuestDB rejected a row, set aside in poison.ndjson: ${error}`);
  }

  private async probe(): Promise<boolean> {
    try {
      await this.rest.exec('select 1', 2000);
      return true;
    } catch {
      return false;
    }
  }

  private async spoolQueue(): Promise<void> {
    while (this.queuedRows > 0) await this.spool.append(this.takeFromQueue(this.options.batchRows));
  }

  private takeFromQueue(maxRows: number): ResultBatch[] {
    const taken: ResultBatch[] = [];
    let rows = 0;
    while (this.queue.length > 0 && rows < maxRows) {
      const head = this.queue[0]!;
      const room = maxRows - rows;
      if (head.results.length <= room) {
        taken.push(this.queue.shift()!);
        rows += head.results.length;
      } else {
        // Split a large batch so one ILP request stays within batchRows.
        taken.push({ family: head.family, results: head.results.slice(0, room) } as ResultBatch);
        this.queue[0] = { family: head.family, results: head.results.slice(room) } as ResultBatch;
        rows += room;
      }
    }
    this.queuedRows -= rows;
    return taken;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private notifyIdleIfSettled(): void {
    const settled = this.queuedRows === 0 && (this.spool.isEmpty || !this.available);
    if (!settled) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private warnOnce(message: string): void {
    if (message === this.lastWarning) return;
    this.lastWarning = message;
    this.options.warn(message);
  }

  /** The REST base URL (for messages and health checks). */
  get url(): string {
    return this.rest.baseUrl;
  }

  /** The parsed endpoint. */
  get questdb(): QuestDbEndpoint {
    return this.endpoint;
  }
}
