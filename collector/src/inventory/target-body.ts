// Reads targets from a byte stream as it arrives — a JSON array, NDJSON, or targets-file text — into
// a TargetTable, so a million-target request body is never held as text or as a million objects.
// Each item is read on its own: a bad item is listed (with its position) and skipped, the rest
// loads; only a body that is not a JSON array at all, or too large, is refused as a whole.
import type { Readable } from 'node:stream';
import { charCode } from '../icmp/char-codes.js';
import { TargetTextReader, maxListedProblems, type TargetProblem } from '../icmp/target-file.js';
import { readTargetRecord } from '../icmp/target-record.js';
import { targetKey, type TargetSpec } from '../icmp/target-spec.js';
import { TargetTable } from '../icmp/target-table.js';

export type BodyFormat = 'json' | 'ndjson' | 'text';

/** A body that cannot be read as a whole; nothing of it is used. */
export class TargetBodyError extends Error {
  override name = 'TargetBodyError';
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export interface BodyLimits {
  maxBytes: number;
  maxItems: number;
  /**
   * A gate before each target is taken: null takes it, a reason skips it (counted per reason in
   * `refused`, not listed as a problem), 'stop' ends the read there (a cap was reached).
   */
  admit?: (spec: TargetSpec, table: TargetTable) => string | null;
}

export interface TargetsBody {
  table: TargetTable;
  items: number;
  errors: number;
  warnings: number;
  problems: TargetProblem[];
  /** Targets the gate refused, by reason. */
  refused: Record<string, number>;
  /** The gate said 'stop': the rest of the body was not read. */
  stopped: boolean;
}

/** Which format a Content-Type names; undefined for one we do not read. */
export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  if (type === 'text/plain') return 'text';
  return undefined;
}

/** Reads a whole body; rejects with TargetBodyError for a malformed or oversized one. */
export async function readTargetsBody(
  input: AsyncIterable<Buffer | string> | Readable,
  format: BodyFormat,
  limits: BodyLimits,
  origin = 'body',
): Promise<TargetsBody> {
  const sink = format === 'text' ? new TextItems(origin) : new RecordItems(origin, format, limits.admit);
  let bytes = 0;
  for await (const raw of input as AsyncIterable<Buffer | string>) {
    if (sink.stopped) break;
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    bytes += chunk.length;
    if (bytes > limits.maxBytes) {
      throw new TargetBodyError(
        `the body is larger than ${limits.maxBytes} bytes: send the targets in several requests`,
        413,
      );
    }
    sink.write(chunk);
    if (sink.items > limits.maxItems) {
      throw new TargetBodyError(`more than ${limits.maxItems} targets in one body: send them in several requests`, 413);
    }
  }
  return sink.end();
}

interface ItemSink {
  readonly items: number;
  readonly stopped: boolean;
  write(chunk: Buffer): void;
  end(): TargetsBody;
}

class TextItems implements ItemSink {
  private readonly reader: TargetTextReader;
  readonly stopped = false;
  constructor(origin: string) {
    this.reader = new TargetTextReader(origin);
  }
  get items(): number {
    return this.reader.table.size;
  }
  write(chunk: Buffer): void {
    this.reader.write(chunk);
  }
  end(): TargetsBody {
    const { table, lines, errors, warnings, problems } = this.reader.end();
    return { table, items: lines, errors, warnings, problems, refused: {}, stopped: false };
  }
}

const { doubleQuote: quote, backslash, comma, newline, openBracket, closeBracket, openBrace, closeBrace } = charCode;

/**
 * JSON items one by one: NDJSON splits at newlines; a JSON array is split at its top-level commas
 * by a small scanner that tracks strings and nesting (hand-written: a streaming JSON tokenizer
 * makes an object per token, ~10× the cost; JSON.parse then reads each item).
 */
class RecordItems implements ItemSink {
  readonly table = new TargetTable();
  items = 0;
  stopped = false;
  private readonly refused: Record<string, number> = {};
  private errors = 0;
  private warnings = 0;
  private readonly problems: TargetProblem[] = [];
  private carry: Buffer | null = null;
  // JSON array scanner state.
  private state: 'before' | 'items' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private lineNumber = 0;

  constructor(
    private readonly origin: string,
    private readonly format: 'json' | 'ndjson',
    private readonly admit?: BodyLimits['admit'],
  ) {}

  write(chunk: Buffer): void {
    if (this.stopped) return;
    // The carried bytes start an item; the array scanner has already read them (its state says so).
    const scanned = this.carry?.length ?? 0;
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const consumed = this.format === 'ndjson' ? this.splitLines(data) : this.splitArray(data, scanned);
    if (consumed < data.length) this.carry = data.subarray(consumed);
    if (this.carry && this.carry.length > 1 << 20) {
      throw new TargetBodyError(`item ${this.items + 1} of the body is longer than 1 MiB: one target per item`);
    }
  }

  end(): TargetsBody {
    if (this.stopped) {
      // Read up to the cap on purpose: the rest was not looked at.
    } else if (this.format === 'ndjson') {
      if (this.carry) this.item(this.carry, 0, this.carry.length);
    } else if (this.state !== 'after') {
      throw new TargetBodyError(
        this.state === 'before'
          ? 'the body is empty: send a JSON array of targets ([{"target":"198.18.0.1","name":"edge-1"}, …]) or NDJSON'
          : 'the JSON array is not closed (is the body cut short?): nothing was applied; send it again whole',
      );
    }
    return {
      table: this.table,
      items: this.items,
      errors: this.errors,
      warnings: this.warnings,
      problems: this.problems,
      refused: this.refused,
      stopped: this.stopped,
    };
  }

  private splitLines(data: Buffer): number {
    let start = 0;
    for (;;) {
      if (this.stopped) return data.length;
      const end = data.indexOf(newline, start);
      if (end < 0) return start;
      this.item(data, start, end);
      start = end + 1;
    }
  }

  /** Scans for top-level item boundaries; returns how many bytes were fully used. */
  private splitArray(data: Buffer, scanned: number): number {
    let itemStart = 0;
    let i = scanned;
    const bad = (what: string) =>
      new TargetBodyError(
        `${what}: the body must be a JSON array of targets, like [{"target":"198.18.0.1","name":"edge-1"}]; nothing was applied`,
      );
    for (; i < data.length && !this.stopped; i++) {
      const c = data[i]!;
      if (this.state !== 'items') {
        if (c === 32 || c === 9 || c === 10 || c === 13) continue;
        if (this.state === 'before' && c === openBracket) {
          this.state = 'items';
          itemStart = i + 1;
          continue;
        }
        throw bad(
          this.state === 'before'
            ? `it starts with "${String.fromCharCode(c)}"`
            : 'there is text after the closing "]"',
        );
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === backslash) this.escaped = true;
        else if (c === quote) this.inString = false;
        continue;
      }
      if (c === quote) this.inString = true;
      else if (c === openBrace || c === openBracket) this.depth++;
      else if (c === closeBrace || c === closeBracket) {
        if (this.depth === 0) {
          if (c === closeBrace) throw bad('a "}" closes nothing');
          this.lastItem(data, itemStart, i);
          this.state = 'after';
          itemStart = i + 1;
          continue;
        }
        this.depth--;
      } else if (c === comma && this.depth === 0) {
        this.item(data, itemStart, i, true);
        itemStart = i + 1;
      }
    }
    return this.state === 'items' && !this.stopped ? itemStart : data.length;
  }

  private lastItem(data: Buffer, start: number, end: number): void {
    // "[]" and a trailing item without a comma.
    if (data.subarray(start, end).toString('utf8').trim() !== '' || this.items > 0) this.item(data, start, end, true);
  }

  private item(data: Buffer, start: number, end: number, required = false): void {
    this.lineNumber++;
    const text = data.toString('utf8', start, end).trim();
    if (text === '' && !required) return;
    this.items++;
    const where = `${this.origin} ${this.format === 'ndjson' ? 'line' : 'item'} ${this.format === 'ndjson' ? this.lineNumber : this.items}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.problem(where, 'error', `not JSON (${(error as Error).message}); skipped`);
      return;
    }
    const record = readTargetRecord(value);
    if (!record.ok) {
      this.problem(where, 'error', `${record.message}; skipped`);
      return;
    }
    const refusal = this.admit?.(record.spec, this.table) ?? null;
    if (refusal === 'stop') {
      this.items--;
      this.stopped = true;
      return;
    }
    if (refusal !== null) {
      this.refused[refusal] = (this.refused[refusal] ?? 0) + 1;
      return;
    }
    if (record.warning) this.problem(where, 'warning', record.warning);
    if (this.table.put(record.spec, record.labels) !== 'added') {
      this.problem(where, 'warning', `${targetKey(record.spec)} is given again: the later item wins`);
    }
  }

  private problem(where: string, severity: TargetProblem['severity'], message: string): void {
    if (severity === 'error') this.errors++;
    else this.warnings++;
    if (this.problems.length < maxListedProblems) this.problems.push({ where, severity, message });
  }
}
