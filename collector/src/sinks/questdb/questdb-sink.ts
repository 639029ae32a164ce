import { appendFile, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, SenderOptions, type SenderTransport } from '@questdb/nodejs-client';
import { icmpBatchOf } from '../../icmp/icmp-batches.js';
import type { IcmpResult } from '../../results/icmp-result.js';
import { batchRows, type ResultBatch } from '../../results/result-batch.js';
import type { ResultSink, SinkStats } from '../result-sink.js';
import { DiskSpool } from '../spool/disk-spool.js';
import { formatQuestDbConfig, parseQuestDbConfig, type QuestDbEndpoint } from './questdb-config.js';
import { QuestDbAuthError, QuestDbRest } from './questdb-rest.js';
import { ensureSchema } from './questdb-schema.js';
import { encodeRows, IlpBuffer, rowEnds } from './ilp-encoder.js';

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
  /**
   * Rows held in memory at most (in their batches' columns, 26 bytes an ICMP row, until they are
   * encoded for sending); beyond that they go to the spool.
   */
  maxQueueRows?: number;
  /** ILP requests sent at once (QuestDB parses each on its own worker). */
  maxInFlight?: number;
  ttlDays?: number;
  /** Where warnings go (one line each). */
  warn?: (message: string) => void;
}

type Outcome = 'delivered' | 'unavailable';

/** Rows [from, to) of a batch the caller handed over (kept as is until they are encoded). */
interface Slice {
  readonly batch: ResultBatch;
  readonly from: number;
  readonly to: number;
}

/** ILP text of a request, in a buffer of the sink's pool. */
interface Encoded {
  readonly bytes: Buffer;
  /** The buffer `bytes` lives in, back to the pool once the request is durable. */
  readonly storage: IlpBuffer;
}

/**
 * Rows on their way: one ILP request's rows and the receipts of the batches that end in it. The
 * rows stay in their batches' columns until the request is about to be sent (or spooled); only
 * then are they encoded, into a buffer that the previous requests have used already.
 */
interface Request {
  readonly order: number;
  readonly slices: readonly Slice[];
  /** Rows to deliver (fewer than the slices hold if some could not be encoded). */
  rows: number;
  readonly receipts: (() => void)[];
  encoded: Encoded | undefined;
  durable: boolean;
}

/** Why QuestDB did not take a batch; decides between retrying later and setting rows aside. */
function classify(error: unknown): 'content' | 'auth' | 'unavailable' {
  if (error instanceof QuestDbAuthError) return 'auth';
  const message = error instanceof Error ? error.message : String(error);
  if (/statusCode=400\b/.test(message)) return 'content';
  if (/statusCode=40[13]\b/.test(message)) return 'auth';
  return 'unavailable';
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const spoolExtension = '.ilp';
/** Spool segments of PingSphere before 0.2 (JSON result batches), converted when found. */
const legacySegment = /^\d{12}-\d+\.ndjson$/;

/**
 * The store of record. Batches are gathered into requests of up to `batchRows` rows; full requests
 * (or ones older than `flushIntervalMs`) are encoded as ILP text (straight from an ICMP batch's
 * columns) just before they go to QuestDB over HTTP, a few at a time. Encoding late keeps a burst
 * (a sweep of a million results handed over at once) in the engine's columns, 26 bytes a row,
 * rather than in ~95 bytes of text a row, and writes the text into a few reused buffers: fresh
 * memory for every request cost page faults and garbage collection that took CPU from QuestDB.
 * When QuestDB is unreachable or refuses our credentials, requests go to a durable spool and are
 * replayed in order when it is back (also by a later process). A batch's receipt (the promise
 * write() returns) resolves once all its rows are acknowledged by QuestDB or fsync'd in the spool,
 * so a caller that shows results only after the receipt never shows one a crash could lose. Rows QuestDB rejects for their content are
 * found by bisection and set aside in poison.ndjson with the error; none is lost silently.
 */
export class QuestDbSink implements ResultSink {
  readonly name = 'questdb';
  private fillingSlices: Slice[] = [];
  private fillingRows = 0;
  private fillingReceipts: (() => void)[] = [];
  private fillingSince = 0;
  /** Buffers of settled requests, kept for the next ones (fresh memory costs a page fault per 4 KiB). */
  private readonly spare: IlpBuffer[] = [];
  /** Size of the last request's text: a new buffer starts with room for one like it. */
  private lastRequestBytes = 64 * 1024;
  /** Sealed requests not sent yet, oldest first. */
  private ready: Request[] = [];
  /** Requests QuestDB did not take while it went away (to be spooled). */
  private failed: Request[] = [];
  /** Every request whose receipts are not resolved yet, oldest first (receipts resolve in order). */
  private readonly unsettled: Request[] = [];
  private nextOrder = 0;
  private inFlight = 0;
  private queuedRows = 0;
  private delivered = 0;
  private poisoned = 0;
  private droppedInMemory = 0;
  private available = true;
  private flushRequested = false;
  private schemaReady = false;
  private closed = false;
  private wake: (() => void) | undefined;
  /** Resolved (and replaced) whenever a request is sealed, so a waiting delivery starts it. */
  private sealed = signal();
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
      maxQueueRows: 1_000_000,
      maxInFlight: 2,
      warn: (message: string) => process.stderr.write(`questdb sink: ${message}\n`),
      ...options,
    };
    const spool = await DiskSpool.open({
      dir: options.spoolDir,
      maxBytes: full.spoolMaxBytes,
      extension: spoolExtension,
      onDrop: (rows, reason) => full.warn(`dropped ${rows} spooled rows: ${reason}`),
    });
    await convertLegacySegments(options.spoolDir, spool, full.warn);
    if (!spool.isEmpty) full.warn(`replaying ${spool.pendingRows} rows spooled by an earlier run`);
    return new QuestDbSink(full, endpoint, senderConf, new QuestDbRest(endpoint), spool);
  }

  /**
   * Queues the batch (the sink keeps it, unchanged, until its rows are encoded: the caller must not
   * reuse its arrays); the promise resolves once its rows are stored, spooled or counted dropped.
   */
  write(batch: ResultBatch): Promise<void> {
    const rows = batchRows(batch);
    if (rows === 0) return Promise.resolve();
    if (this.closed) {
      this.droppedInMemory += rows;
      this.options.warn(`write after close: ${rows} rows not accepted`);
      return Promise.resolve();
    }
    let receipt!: () => void;
    const stored = new Promise<void>((resolve) => (receipt = resolve));
    for (let from = 0; from < rows;) {
      const to = Math.min(rows, from + this.options.batchRows - this.fillingRows);
      if (this.fillingRows === 0) this.fillingSince = Date.now();
      this.fillingSlices.push({ batch, from, to });
      this.fillingRows += to - from;
      this.queuedRows += to - from;
      if (to === rows) this.fillingReceipts.push(receipt);
      from = to;
      // One request holds at most batchRows rows.
      if (this.fillingRows >= this.options.batchRows) this.seal();
    }
    // Deliver early when a full request is waiting, or spool at once while QuestDB is away.
    if (this.ready.length > 0 || !this.available || this.queuedRows > this.options.maxQueueRows) this.wake?.();
    return stored;
  }

  stats(): SinkStats {
    return {
      delivered: this.delivered,
      pending: this.queuedRows + this.spool.pendingRows,
      dropped: this.poisoned + this.spool.dropped + this.droppedInMemory,
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
    if (this.isSettled()) return;
    this.flushRequested = true;
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
    if (this.queuedRows > 0) await this.spoolMemory();
    await this.transport?.close();
  }

  private isSettled(): boolean {
    return this.queuedRows === 0 && (this.spool.isEmpty || !this.available);
  }

  private async run(): Promise<void> {
    let retryDelayMs = 500;
    let nextProbeAt = 0;
    while (!this.closed) {
      await this.sleep(this.available ? this.msUntilDue() : Math.max(0, nextProbeAt - Date.now()));
      try {
        if (!this.available) {
          // Rows written during an outage are spooled at once; QuestDB is asked again on a backoff.
          await this.spoolMemory();
          if (Date.now() < nextProbeAt || !(await this.probe())) {
            if (Date.now() >= nextProbeAt) {
              nextProbeAt = Date.now() + retryDelayMs;
              retryDelayMs = Math.min(retryDelayMs * 2, 5000);
            }
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
        if (!this.available) nextProbeAt = Date.now() + retryDelayMs;
      } catch (error) {
        this.warnOnce(`unexpected error, will retry: ${(error as Error).message}`);
        this.available = false;
        nextProbeAt = Date.now() + retryDelayMs;
      }
      this.notifyIdleIfSettled();
    }
  }

  /** How long the pump may sleep: until the request being filled is due, or at once if work waits. */
  private msUntilDue(): number {
    if (this.ready.length > 0 || this.flushRequested) return 0;
    if (this.fillingRows === 0) return this.options.flushIntervalMs;
    return Math.max(0, this.fillingSince + this.options.flushIntervalMs - Date.now());
  }

  /** Seals the request being filled if its oldest row has waited long enough (or on flush). */
  private sealIfDue(): void {
    if (this.fillingRows === 0) return;
    if (this.flushRequested || Date.now() >= this.fillingSince + this.options.flushIntervalMs) this.seal();
  }

  /** Delivers the spool (oldest first, preserving order) and then the memory queue. */
  private async deliverAll(): Promise<void> {
    while (this.available && !this.spool.isEmpty) {
      if (this.queuedRows > this.options.maxQueueRows) await this.spoolMemory();
      // Small segments (written one per batch during an outage) are replayed together.
      const segments = [];
      let rows = 0;
      for (const segment of this.spool.oldest(64)) {
        if (segments.length > 0 && rows + segment.rows > this.options.batchRows) break;
        segments.push(segment);
        rows += segment.rows;
      }
      const bytes = Buffer.concat(await Promise.all(segments.map((s) => s.read())));
      if ((await this.send(bytes, rows)) === 'unavailable') return;
      for (const segment of segments) await this.spool.remove(segment.id);
    }
    if (!this.available) return;
    this.sealIfDue();
    await this.deliverMemory();
  }

  /** Sends the sealed requests, up to maxInFlight at a time; spools them if QuestDB goes away. */
  private async deliverMemory(): Promise<void> {
    const sending = new Set<Promise<void>>();
    while (this.available && (this.ready.length > 0 || sending.size > 0)) {
      // A queue far beyond one request means QuestDB is slower than the probes: bound memory.
      if (this.queuedRows > this.options.maxQueueRows) break;
      while (this.available && sending.size < this.options.maxInFlight && this.ready.length > 0) {
        const request = this.ready.shift()!;
        const sent: Promise<void> = this.sendRequest(request).then(() => void sending.delete(sent));
        sending.add(sent);
      }
      // Encode the next request while these are in flight, so a freed slot is filled at once.
      const next = this.ready[0];
      if (next && !next.encoded) this.encode(next);
      // Wait for a send to finish, or for a new request while there is room for it.
      const waits: Promise<void>[] = [...sending];
      if (sending.size < this.options.maxInFlight) waits.push(this.sealed.promise);
      if (waits.length > 0) await Promise.race(waits);
      this.sealIfDue();
    }
    await Promise.all(sending);
    if (!this.available || this.queuedRows > this.options.maxQueueRows) await this.spoolMemory();
  }

  private async sendRequest(request: Request): Promise<void> {
    this.inFlight += 1;
    try {
      if ((await this.send(this.encode(request), request.rows)) === 'unavailable') {
        this.failed.push(request);
        return;
      }
      this.queuedRows -= request.rows;
      this.settle(request);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Posts ILP text; on a content error, bisects to deliver the good rows and set aside the bad. */
  private async send(bytes: Buffer, rows: number): Promise<Outcome> {
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
      await this.transport.send(bytes);
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
      const ends = rowEnds(bytes);
      if (ends.length <= 1) {
        await this.setAside(bytes, (error as Error).message);
        return 'delivered';
      }
      const half = Math.ceil(ends.length / 2);
      const middle = ends[half - 1]!;
      if ((await this.send(bytes.subarray(0, middle), half)) === 'unavailable') return 'unavailable';
      return this.send(bytes.subarray(middle), ends.length - half);
    }
  }

  private async setAside(row: Buffer, error: string): Promise<void> {
    this.poisoned += 1;
    const line = JSON.stringify({ at: new Date().toISOString(), error, row: row.toString('utf8') }) + '\n';
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

  /** Closes the request being filled: it waits in `ready` to be sent. */
  private seal(): void {
    if (this.fillingRows > 0) {
      const request: Request = {
        order: this.nextOrder++,
        slices: this.fillingSlices,
        rows: this.fillingRows,
        receipts: this.fillingReceipts,
        encoded: undefined,
        durable: false,
      };
      this.ready.push(request);
      this.unsettled.push(request);
      this.fillingSlices = [];
      this.fillingRows = 0;
      this.fillingReceipts = [];
      this.sealed.resolve();
      this.sealed = signal();
    }
  }

  /**
   * The request's ILP text, encoded on first use into a pooled buffer. A slice that cannot be
   * encoded (a value the encoder refuses) is left out, counted dropped and named in a warning.
   */
  private encode(request: Request): Buffer {
    if (request.encoded) return request.encoded.bytes;
    // The next request will likely be as large as the last: a new buffer starts with room for that.
    const storage = this.spare.pop() ?? new IlpBuffer(this.lastRequestBytes + (this.lastRequestBytes >> 2));
    for (const { batch, from, to } of request.slices) {
      const mark = storage.mark();
      try {
        encodeRows(storage, batch, from, to);
      } catch (error) {
        storage.rewind(mark);
        request.rows -= to - from;
        this.queuedRows -= to - from;
        this.droppedInMemory += to - from;
        this.options.warn(`could not encode ${to - from} ${batch.family} rows, dropped: ${(error as Error).message}`);
      }
    }
    this.lastRequestBytes = Math.max(64 * 1024, storage.length);
    request.encoded = { bytes: storage.view(), storage };
    return request.encoded.bytes;
  }

  /** Moves everything in memory to the spool (in order), which makes it durable. */
  private async spoolMemory(): Promise<void> {
    this.seal();
    const pending = [...this.failed.sort((a, b) => a.order - b.order), ...this.ready];
    this.failed = [];
    this.ready = [];
    while (pending.length > 0) {
      const request = pending[0]!;
      try {
        await this.spool.append(this.encode(request), request.rows);
      } catch (error) {
        // The spool cannot be written (disk full, permissions): keep the rows in memory, within
        // bounds, and say so; they are retried with the next outage tick or delivery.
        this.ready = pending;
        this.dropBeyondMemoryBound();
        throw new Error(`cannot write the spool in ${this.options.spoolDir}: ${(error as Error).message}`);
      }
      pending.shift();
      this.queuedRows -= request.rows;
      this.settle(request);
    }
  }

  private dropBeyondMemoryBound(): void {
    while (this.queuedRows > this.options.maxQueueRows && this.ready.length > 1) {
      const oldest = this.ready.shift()!;
      this.queuedRows -= oldest.rows;
      this.droppedInMemory += oldest.rows;
      this.settle(oldest);
      this.options.warn(`dropped ${oldest.rows} rows: neither QuestDB nor the spool takes them`);
    }
  }

  /** Marks a request stored (or spooled, or dropped) and resolves receipts that are now complete. */
  private settle(request: Request): void {
    request.durable = true;
    // Sent or written: its memory can take the next request's rows.
    const storage = request.encoded?.storage;
    request.encoded = undefined;
    if (storage && this.spare.length < this.options.maxInFlight + 1) {
      storage.reset();
      this.spare.push(storage);
    }
    while (this.unsettled.length > 0 && this.unsettled[0]!.durable) {
      for (const receipt of this.unsettled.shift()!.receipts) receipt();
    }
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
    if (!this.isSettled()) return;
    this.flushRequested = false;
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

/** Old results as the spool of PingSphere 0.1 kept them (JSON, one batch per line). */
type LegacyBatch =
  | { family: 'icmp'; results: (Omit<IcmpResult, 'flow'> & { flow?: number })[] }
  | Extract<ResultBatch, { family: 'http' }>;

/** Rewrites spool segments of the JSON format as ILP segments, so an upgrade loses nothing. */
async function convertLegacySegments(dir: string, spool: DiskSpool, warn: (message: string) => void): Promise<void> {
  for (const name of (await readdir(dir)).filter((n) => legacySegment.test(n)).sort()) {
    const out = new IlpBuffer();
    try {
      for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
        if (!line) continue;
        const old = JSON.parse(line) as LegacyBatch;
        const batch: ResultBatch =
          old.family === 'icmp' ? icmpBatchOf(old.results.map((r) => ({ ...r, flow: r.flow ?? 0 }))) : old;
        encodeRows(out, batch, 0, batchRows(batch));
      }
    } catch (error) {
      // Kept for a person to look at, out of the replay's way.
      await rename(join(dir, name), join(dir, `${name}.unreadable`));
      warn(
        `spool segment ${name} of an earlier version cannot be read (${(error as Error).message}); kept as ${name}.unreadable`,
      );
      continue;
    }
    await spool.append(out.view(), out.rows);
    await rm(join(dir, name), { force: true });
  }
}
