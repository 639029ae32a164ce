// The API's changes to the targets (POST/DELETE /v1/targets), kept in a state file beside the spool
// so a restart keeps them. NDJSON: a header line, then {"put":{target…}} and {"delete":"key"} lines.
// Each save writes a temporary file, fsyncs it and renames it over the old one (then fsyncs the
// folder), so a crash leaves the old state or the new one, never half of either.
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { UsageError } from '../cli/usage-error.js';
import type { TargetTable } from '../icmp/target-table.js';
import { readTargetsBody } from './target-body.js';

const header = { pingsphere: 'targets-api-layer', format: 1 };

/** What the state file holds. */
export interface ApiLayer {
  puts: TargetTable;
  deletes: string[];
}

/** Reads and writes one state file; saves are serialised, and a burst of changes is saved once. */
export class ApiLayerFile {
  private saving: Promise<void> = Promise.resolve();
  private pending: (() => { puts: TargetTable; deletes: Iterable<string> }) | undefined;

  constructor(readonly path: string) {}

  /** The saved layer, or null when there is no state file yet. A damaged file is refused with the fix. */
  async load(): Promise<ApiLayer | null> {
    const stream = createReadStream(this.path);
    const opened = await new Promise<boolean>((resolve, reject) => {
      stream.once('open', () => resolve(true));
      stream.once('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? resolve(false) : reject(error),
      );
    });
    if (!opened) return null;
    const damaged = (why: string) =>
      new UsageError(
        `the targets state file ${this.path} is damaged (${why}): move it aside to start without the API's changes`,
      );
    const deletes: string[] = [];
    // The put lines go through the same checks as an API body, streamed; deletions are collected.
    async function* putLines(): AsyncGenerator<Buffer> {
      let carry = '';
      let first = true;
      const take = (line: string): Buffer | null => {
        if (line.trim() === '') return null;
        let value: { put?: unknown; delete?: unknown; pingsphere?: unknown };
        try {
          value = JSON.parse(line) as typeof value;
        } catch {
          throw damaged('a line is not JSON');
        }
        if (first) {
          if (value.pingsphere !== header.pingsphere) throw damaged('it does not start with the PingSphere header');
          first = false;
          return null;
        }
        if (typeof value.delete === 'string') deletes.push(value.delete);
        else if (value.put !== undefined) return Buffer.from(`${JSON.stringify(value.put)}\n`);
        else throw damaged('a line is neither a put nor a delete');
        return null;
      };
      const decoder = new StringDecoder('utf8'); // a character may straddle two chunks
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const parts = (carry + decoder.write(chunk)).split('\n');
        carry = parts.pop()!;
        for (const part of parts) {
          const put = take(part);
          if (put) yield put;
        }
      }
      const last = take(carry);
      if (last) yield last;
    }
    const read = await readTargetsBody(putLines(), 'ndjson', { maxBytes: Infinity, maxItems: Infinity }, this.path);
    if (read.errors > 0) throw damaged(read.problems[0]?.message ?? 'a bad target');
    return { puts: read.table, deletes };
  }

  /** Saves the layer `current()` returns when the write starts (later calls coalesce). */
  save(current: () => { puts: TargetTable; deletes: Iterable<string> }): Promise<void> {
    this.pending = current;
    const run = this.saving.then(async () => {
      const take = this.pending;
      this.pending = undefined;
      if (take) await this.write(take());
    });
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async write(layer: { puts: TargetTable; deletes: Iterable<string> }): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temporary = join(dir, `.${basename(this.path)}.${process.pid}.tmp`);
    const file = await open(temporary, 'w', 0o600);
    try {
      let chunk = `${JSON.stringify({ ...header, saved: new Date().toISOString() })}\n`;
      const flush = async () => {
        await file.write(chunk);
        chunk = '';
      };
      for (const entry of layer.puts.entries()) {
        chunk += `${JSON.stringify({ put: layer.puts.recordAt(entry) })}\n`;
        if (chunk.length > 1 << 20) await flush();
      }
      for (const key of layer.deletes) {
        chunk += `${JSON.stringify({ delete: key })}\n`;
        if (chunk.length > 1 << 20) await flush();
      }
      await flush();
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, this.path);
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
