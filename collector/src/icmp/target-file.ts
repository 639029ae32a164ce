// Reads targets-file text (a file, stdin, a POST body) into a TargetTable, chunk by chunk. A line
// that is only a dotted quad is read straight from the bytes into the table (no string, no object:
// a million such lines take tens of milliseconds); anything else goes through parseTargetLine. A bad
// line is listed with its file and line number and skipped; the rest loads.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { nativePlainIpv4Scanner, type PlainIpv4Scan } from '@pingsphere/native';
import { UsageError } from '../cli/usage-error.js';
import { charCode } from './char-codes.js';
import { readDottedQuad } from './dotted-quad.js';
import { parseTargetLine } from './target-line.js';
import { formatIpv4 } from './target-list.js';
import { targetKey, type TargetSpec } from './target-spec.js';
import { TargetTable, type PutOutcome } from './target-table.js';

/** A line that was skipped (error) or loaded with a caveat (warning). */
export interface TargetProblem {
  /** "targets.txt line 7". */
  where: string;
  severity: 'error' | 'warning';
  message: string;
}

/** What reading a targets text produced. */
export interface TargetsRead {
  table: TargetTable;
  /** The first `maxListedProblems` problems, in line order. */
  problems: TargetProblem[];
  errors: number;
  warnings: number;
  lines: number;
}

/** Problems listed one by one; beyond this they are only counted. */
export const maxListedProblems = 1000;
/** Longer lines are refused (a target with labels fits in a few hundred characters). */
export const maxLineBytes = 8192;

/** Incremental reader: feed chunks with `write`, then `end`. */
export class TargetTextReader {
  private carry: Buffer | null = null;
  private lineNumber = 0;
  private readonly problems: TargetProblem[] = [];
  private errors = 0;
  private warnings = 0;
  /** Set while the rest of an over-long line is being dropped. */
  private skipToNewline = false;

  /**
   * `plain`, when given, takes every plain IPv4 line instead of the table (the one-shot `icmp`:
   * straight into its packed TargetList, no entry, no key, probed as listed, as fping does).
   */
  constructor(
    private readonly origin: string,
    readonly table = new TargetTable(),
    private readonly plain?: (address: number) => void,
  ) {}

  write(chunk: Buffer): void {
    let data = chunk;
    if (this.carry) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let start = 0;
    if (this.lineNumber === 0 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) start = 3; // BOM
    // The newline is found by a plain loop: target lines are short, and Buffer#indexOf's call into
    // C++ per line cost more than the scan (a third of a 60,000-line file's read time).
    const length = data.length;
    for (;;) {
      let end = start;
      while (end < length && data[end] !== charCode.newline) end++;
      if (end === length) break;
      this.line(data, start, end);
      start = end + 1;
    }
    if (start < data.length) {
      this.carry = data.subarray(start);
      if (this.carry.length > maxLineBytes) {
        // A runaway line: report it once and drop its bytes up to the next newline.
        this.line(this.carry, 0, this.carry.length);
        this.carry = null;
        this.skipToNewline = true;
      }
    }
  }

  /**
   * Takes a whole text whose plain dotted-quad lines the addon's scanner has already read (needs
   * `plain`; the lines go to `plainList` in one piece when given); the other lines are parsed here.
   */
  writeScanned(data: Buffer, scan: PlainIpv4Scan, plainList?: (addresses: Uint32Array) => void): void {
    if (plainList) plainList(scan.addresses);
    else for (const address of scan.addresses) this.plain!(address);
    const others = scan.others;
    for (let i = 0; i < others.length; i += 3) {
      this.lineNumber = others[i]! - 1; // line() counts it
      this.line(data, others[i + 1]!, others[i + 2]!);
    }
    this.lineNumber = scan.lines;
  }

  end(): TargetsRead {
    if (this.carry) this.line(this.carry, 0, this.carry.length);
    this.carry = null;
    return {
      table: this.table,
      problems: this.problems,
      errors: this.errors,
      warnings: this.warnings,
      lines: this.lineNumber,
    };
  }

  private line(data: Buffer, start: number, end: number): void {
    if (this.skipToNewline) {
      this.skipToNewline = false;
      return;
    }
    this.lineNumber++;
    const address = plainIpv4Line(data, start, end);
    if (address >= 0) {
      if (this.plain) this.plain(address);
      else this.noteRepeat(this.table.putIpv4(address), address);
      return;
    }
    if (end - start > maxLineBytes) {
      this.problem('error', `the line is longer than ${maxLineBytes} bytes; split it (one target per line)`);
      return;
    }
    const parsed = parseTargetLine(data.toString('utf8', start, end));
    if (parsed.kind === 'blank') return;
    if (parsed.kind === 'bad') {
      this.problem('error', `${parsed.message}; the line is skipped`);
      return;
    }
    if (parsed.warning) this.problem('warning', parsed.warning);
    this.noteRepeat(this.table.put(parsed.spec, parsed.labels), parsed.spec);
  }

  private noteRepeat(outcome: PutOutcome, target: number | TargetSpec): void {
    if (outcome === 'added') return;
    const key = typeof target === 'number' ? formatIpv4(target) : targetKey(target);
    this.problem(
      'warning',
      outcome === 'updated'
        ? `${key} is listed again: this line's labels replace the earlier line's (it is probed once)`
        : `${key} is listed again (it is probed once)`,
    );
  }

  private problem(severity: TargetProblem['severity'], message: string): void {
    if (severity === 'error') this.errors++;
    else this.warnings++;
    if (this.problems.length < maxListedProblems) {
      this.problems.push({ where: `${this.origin} line ${this.lineNumber}`, severity, message });
    }
  }
}

/**
 * The address of a line that holds only a strict dotted quad (optionally followed by blanks or a
 * comment), read from the bytes; -1 for any other line (which then takes the full parser).
 */
function plainIpv4Line(data: Buffer, start: number, end: number): number {
  const quad = readDottedQuad(data, start, end);
  if (quad.address < 0) return -1;
  for (let i = quad.end; i < end; i++) {
    const c = data[i]!;
    if (c === charCode.hash) break; // the rest is a comment
    if (c !== charCode.space && c !== charCode.tab && c !== charCode.cr) return -1;
  }
  return quad.address;
}

/** Reads a whole stream of targets text (`plain`: see TargetTextReader). */
export async function readTargetsStream(
  input: Readable,
  origin: string,
  table?: TargetTable,
  plain?: (address: number) => void,
): Promise<TargetsRead> {
  const reader = new TargetTextReader(origin, table, plain);
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    reader.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return reader.end();
}

/** Files up to this size are read in one piece (no stream, no chunk joins); larger ones stream. */
const wholeFileBytes = 64 << 20;

/** Reads a targets file; an unreadable file throws UsageError naming it. */
export async function readTargetsFile(
  path: string,
  table?: TargetTable,
  plain?: (address: number) => void,
  plainList?: (addresses: Uint32Array) => void,
): Promise<TargetsRead> {
  let stream: Readable | undefined;
  try {
    // Synchronous on purpose: parsing the text blocks the loop anyway (and for longer than reading
    // it), and for a one-shot sweep the asynchronous calls only add thread-pool start-up and
    // wake-ups (a few milliseconds of a ~170 ms process).
    const stats = statSync(path);
    const size = stats.isFile() ? stats.size : -1;
    if (size >= 0 && size <= wholeFileBytes) {
      const data = readFileSync(path);
      const reader = new TargetTextReader(path, table, plain);
      const scan = plain ? nativePlainIpv4Scanner() : undefined;
      if (scan) reader.writeScanned(data, scan(data), plainList);
      else reader.write(data);
      return reader.end();
    }
    stream = createReadStream(path, { highWaterMark: 1 << 20 });
    return await readTargetsStream(stream, path, table, plain);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read target file "${path}": ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  } finally {
    stream?.destroy();
  }
}

/** "targets.txt line 2: message" lines for a log or stderr. */
export function describeProblem(problem: TargetProblem): string {
  return `${problem.where}: ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}`;
}
