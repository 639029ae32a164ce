import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultBatch } from '../../results/result-batch.js';

/** A unit of spooled work: the batches that were to be delivered together. */
export interface SpoolSegment {
  readonly id: string;
  readonly rows: number;
  readonly bytes: number;
  read(): Promise<ResultBatch[]>;
}

export interface DiskSpoolOptions {
  dir: string;
  /** Upper bound of the spool on disk; the oldest segments are dropped (and counted) beyond it. */
  maxBytes: number;
  /** Told about every segment dropped for space, so the loss is reported, never silent. */
  onDrop?: (rows: number, reason: string) => void;
}

const segmentName = /^(\d{12})-(\d+)\.ndjson$/;

/**
 * An ordered, size-bounded queue of result batches on disk, for what a sink cannot deliver now.
 * Each segment is written to a temporary file, fsync'd and renamed into place, so a crash (even
 * kill -9) leaves either the whole segment or nothing; a later process replays what is left.
 */
export class DiskSpool {
  private readonly segments: { id: string; seq: number; rows: number; bytes: number }[] = [];
  private nextSeq = 0;
  private totalBytes = 0;
  private droppedRows = 0;

  private constructor(private readonly options: DiskSpoolOptions) {}

  /** Opens (creating if needed) the spool folder and indexes segments left by earlier runs. */
  static async open(options: DiskSpoolOptions): Promise<DiskSpool> {
    const spool = new DiskSpool(options);
    await mkdir(options.dir, { recursive: true });
    for (const name of (await readdir(options.dir)).sort()) {
      const match = segmentName.exec(name);
      if (!match) {
        // A temporary file means a crash in the middle of a write: that segment never existed.
        if (name.endsWith('.tmp')) await rm(join(options.dir, name), { force: true });
        continue;
      }
      const { size } = await stat(join(options.dir, name));
      const seq = Number(match[1]);
      spool.segments.push({ id: name, seq, rows: Number(match[2]), bytes: size });
      spool.totalBytes += size;
      spool.nextSeq = Math.max(spool.nextSeq, seq + 1);
    }
    return spool;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  get pendingRows(): number {
    return this.segments.reduce((sum, s) => sum + s.rows, 0);
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Rows dropped because the spool was full. */
  get dropped(): number {
    return this.droppedRows;
  }

  /** Appends batches as one durable segment; evicts the oldest segments if over the size bound. */
  async append(batches: readonly ResultBatch[]): Promise<void> {
    const rows = batches.reduce((sum, b) => sum + b.results.length, 0);
    if (rows === 0) return;
    const text = batches.map((b) => JSON.stringify(b)).join('\n') + '\n';
    const seq = this.nextSeq++;
    const name = `${String(seq).padStart(12, '0')}-${rows}.ndjson`;
    const temporary = join(this.options.dir, `${name}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, join(this.options.dir, name));
    const bytes = Buffer.byteLength(text);
    this.segments.push({ id: name, seq, rows, bytes });
    this.totalBytes += bytes;
    await this.evictBeyondLimit();
  }

  /** The oldest segment, without removing it. */
  oldest(): SpoolSegment | undefined {
    const head = this.segments[0];
    if (!head) return undefined;
    const path = join(this.options.dir, head.id);
    return {
      id: head.id,
      rows: head.rows,
      bytes: head.bytes,
      read: async () =>
        (await readFile(path, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as ResultBatch),
    };
  }

  /** Removes a segment once it was delivered (or set aside). */
  async remove(id: string): Promise<void> {
    const index = this.segments.findIndex((s) => s.id === id);
    if (index < 0) return;
    const [segment] = this.segments.splice(index, 1);
    this.totalBytes -= segment!.bytes;
    await rm(join(this.options.dir, id), { force: true });
  }

  private async evictBeyondLimit(): Promise<void> {
    while (this.totalBytes > this.options.maxBytes && this.segments.length > 1) {
      const oldest = this.segments[0]!;
      await this.remove(oldest.id);
      this.droppedRows += oldest.rows;
      this.options.onDrop?.(oldest.rows, `spool over its limit of ${this.options.maxBytes} bytes`);
    }
  }
}
