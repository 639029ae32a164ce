import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A unit of spooled work: the rows of one request, as the bytes to send. */
export interface SpoolSegment {
  readonly id: string;
  readonly rows: number;
  readonly bytes: number;
  read(): Promise<Buffer>;
}

export interface DiskSpoolOptions {
  dir: string;
  /** Upper bound of the spool on disk; the oldest segments are dropped (and counted) beyond it. */
  maxBytes: number;
  /** Told about every segment dropped for space, so the loss is reported, never silent. */
  onDrop?: (rows: number, reason: string) => void;
  /** File name ending of segments (their format), e.g. ".ilp". */
  extension: string;
}

/**
 * An ordered, size-bounded queue of byte segments on disk, for what a sink cannot deliver now.
 * Each segment is written to a temporary file, fsync'd, renamed into place and the folder fsync'd,
 * so a crash (even kill -9 or a power cut) leaves either the whole segment or nothing; a later
 * process replays what is left. A resolved append() means the rows are durable.
 */
export class DiskSpool {
  private readonly segments: { id: string; seq: number; rows: number; bytes: number }[] = [];
  private nextSeq = 0;
  private totalBytes = 0;
  private totalRows = 0;
  private droppedRows = 0;
  private readonly segmentName: RegExp;

  private constructor(private readonly options: DiskSpoolOptions) {
    this.segmentName = new RegExp(`^(\\d{12})-(\\d+)${options.extension.replace('.', '\\.')}$`);
  }

  /** Opens (creating if needed) the spool folder and indexes segments left by earlier runs. */
  static async open(options: DiskSpoolOptions): Promise<DiskSpool> {
    const spool = new DiskSpool(options);
    await mkdir(options.dir, { recursive: true });
    for (const name of (await readdir(options.dir)).sort()) {
      const match = spool.segmentName.exec(name);
      if (!match) {
        // A temporary file means a crash in the middle of a write: that segment never existed
        // (its rows were not acknowledged, so nothing was printed from them).
        if (name.endsWith('.tmp')) await rm(join(options.dir, name), { force: true });
        continue;
      }
      const { size } = await stat(join(options.dir, name));
      const seq = Number(match[1]);
      spool.segments.push({ id: name, seq, rows: Number(match[2]), bytes: size });
      spool.totalBytes += size;
      spool.totalRows += Number(match[2]);
      spool.nextSeq = Math.max(spool.nextSeq, seq + 1);
    }
    return spool;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  get pendingRows(): number {
    return this.totalRows;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Rows dropped because the spool was full. */
  get dropped(): number {
    return this.droppedRows;
  }

  /** Appends one durable segment of `rows` rows; evicts the oldest segments if over the size bound. */
  async append(content: Uint8Array, rows: number): Promise<void> {
    if (rows === 0) return;
    const seq = this.nextSeq++;
    const name = `${String(seq).padStart(12, '0')}-${rows}${this.options.extension}`;
    const temporary = join(this.options.dir, `${name}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, join(this.options.dir, name));
    await this.syncFolder();
    this.segments.push({ id: name, seq, rows, bytes: content.length });
    this.totalBytes += content.length;
    this.totalRows += rows;
    await this.evictBeyondLimit();
  }

  /** The oldest segments, without removing them. */
  oldest(count = 1): SpoolSegment[] {
    return this.segments.slice(0, count).map((segment) => {
      const path = join(this.options.dir, segment.id);
      return { id: segment.id, rows: segment.rows, bytes: segment.bytes, read: () => readFile(path) };
    });
  }

  /** Removes a segment once it was delivered (or set aside). */
  async remove(id: string): Promise<void> {
    const index = this.segments.findIndex((s) => s.id === id);
    if (index < 0) return;
    const [segment] = this.segments.splice(index, 1);
    this.totalBytes -= segment!.bytes;
    this.totalRows -= segment!.rows;
    await rm(join(this.options.dir, id), { force: true });
  }

  /** Makes the rename durable: a renamed file's directory entry lives in the folder. */
  private async syncFolder(): Promise<void> {
    const folder = await open(this.options.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
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
