import type { HttpResult } from '../../results/http-result.js';
import type { IcmpBatch } from '../../results/icmp-batch.js';
import type { IcmpSweepRecord } from '../../results/icmp-sweep-record.js';
import type { PathRecord } from '../../results/path-record.js';
import { batchRows, type ResultBatch } from '../../results/result-batch.js';
import { nativeIcmpIlpEncoder, type NativeIcmpIlpEncoder } from '@pingsphere/native';

// InfluxDB line protocol (text), as QuestDB's /write takes it with nanosecond timestamps.
// Hand-written on purpose: the client's row builder writes strings one character at a time
// (about 7.6 µs per row here). ICMP rows are written straight from the engine's typed arrays into
// one growing buffer (no string, no object per row): by the addon's encoder when it is built
// (native/src/ilp_encoder.cc, tens of ns per row), else byte by byte in JavaScript (the same
// bytes, a few hundred ns per row). HTTP rows, a few hundred a second, are built as strings. The
// client still carries the bytes (transport, auth, TLS).

/** ILP text being built: whole rows only, so any prefix that ends at a row is a valid request. */
export class IlpBuffer {
  private bytes: Buffer;
  private used = 0;
  private rowCount = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  get rows(): number {
    return this.rowCount;
  }

  get length(): number {
    return this.used;
  }

  /** The text so far (a view, valid until the next write). */
  view(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  /** Room for `extra` more bytes; returns the byte array to write into. */
  reserve(extra: number): Buffer {
    if (this.used + extra > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + extra));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    return this.bytes;
  }

  /** Marks rows written directly into the array returned by reserve(). */
  commit(end: number, rows: number): void {
    this.used = end;
    this.rowCount += rows;
  }

  /** Empties the buffer for reuse (its memory is kept: no page faults on the next fill). */
  reset(): void {
    this.used = 0;
    this.rowCount = 0;
  }

  /** Where the text ends now, to rewind to if what follows cannot be written whole. */
  mark(): { length: number; rows: number } {
    return { length: this.used, rows: this.rowCount };
  }

  /** Drops what was written since `mark` (a batch that failed half way). */
  rewind(mark: { length: number; rows: number }): void {
    this.used = mark.length;
    this.rowCount = mark.rows;
  }

  get capacity(): number {
    return this.bytes.length;
  }

  appendText(text: string, rows: number): void {
    const bytes = this.reserve(Buffer.byteLength(text));
    this.commit(this.used + bytes.write(text, this.used, 'utf8'), rows);
  }
}

const needsEscape = /[ ,=\n\r\\]/;

/** Escapes a symbol value (or name) for ILP: space, comma, equals, newline and backslash. */
export function escapeSymbol(value: string): string {
  return needsEscape.test(value)
    ? value
        .replace(/[ ,=\\]/g, '\\$&')
        .replace(/\r/g, '\\\r')
        .replace(/\n/g, '\\\n')
    : value;
}

/** Escapes a string field's value (inside double quotes): quote, backslash and newlines. */
function escapeString(value: string): string {
  return /["\\\n\r]/.test(value) ? value.replace(/["\\\n\r]/g, '\\$&') : value;
}

function symbolPart(name: string, value: string): string {
  // ILP has no empty symbol: an empty value is left out and stored as NULL.
  return value === '' ? '' : `,${name}=${escapeSymbol(value)}`;
}

function floatPart(name: string, value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : `,${name}=${value}`;
}

const ascii = (text: string) => Buffer.from(text, 'latin1');
const seqField = ascii(',seq=');
const rttField = ascii('i,rtt_ms=');
const flowField = ascii(',flow=');
/** "0" … "255" for dotted quads: four bytes per octet, its length then up to three digits. */
const octets = new Uint8Array(4 * 256);
for (let i = 0; i < 256; i++) {
  const text = String(i);
  octets[4 * i] = text.length;
  for (let k = 0; k < text.length; k++) octets[4 * i + 1 + k] = text.charCodeAt(k);
}
/** "00" … "99" as two byte codes, for writing integers two digits at a time. */
const pairs = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  pairs[2 * i] = 48 + Math.floor(i / 10);
  pairs[2 * i + 1] = 48 + (i % 10);
}

/** One octet of a dotted quad, then `then` (a dot, or the closing quote). */
function writeOctet(into: Buffer, at: number, octet: number, then: number): number {
  const o = 4 * octet;
  const length = octets[o]!;
  into[at] = octets[o + 1]!;
  into[at + 1] = octets[o + 2]!;
  into[at + 2] = octets[o + 3]!;
  into[at + length] = then;
  return at + length + 1;
}

function copy(into: Buffer, at: number, bytes: Uint8Array): number {
  for (let k = 0; k < bytes.length; k++) into[at + k] = bytes[k]!;
  return at + bytes.length;
}

function decimalDigits(v: number): number {
  if (v < 100_000) return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10_000 ? 4 : 5;
  return v < 10_000_000 ? (v < 1_000_000 ? 6 : 7) : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
}

/** Decimal digits of 0 ≤ v < 2³² at `at`; returns the end. (`>>> 0` is an integer floor here.) */
function writeUint32(into: Buffer, at: number, v: number): number {
  const digits = decimalDigits(v);
  let end = at + digits;
  let x = v >>> 0;
  while (x >= 100) {
    const next = (x / 100) >>> 0;
    const two = (x - next * 100) * 2;
    x = next;
    into[--end] = pairs[two + 1]!;
    into[--end] = pairs[two]!;
  }
  if (x >= 10) {
    into[--end] = pairs[x * 2 + 1]!;
    into[--end] = pairs[x * 2]!;
  } else {
    into[--end] = 48 + x;
  }
  return at + digits;
}

/** Exactly `digits` (even) decimal digits of 0 ≤ v < 10^digits < 2³², zero-padded. */
function writePadded(into: Buffer, at: number, v: number, digits: number): number {
  let x = v >>> 0;
  for (let k = at + digits - 2; k >= at; k -= 2) {
    const next = (x / 100) >>> 0;
    const two = (x - next * 100) * 2;
    x = next;
    into[k] = pairs[two]!;
    into[k + 1] = pairs[two + 1]!;
  }
  return at + digits;
}

/** Decimal digits of a non-negative integer below 2⁵³. */
function writeUint(into: Buffer, at: number, v: number): number {
  if (v < 4294967296) return writeUint32(into, at, v);
  const high = Math.floor(v / 1e8);
  return writePadded(into, writeUint32(into, at, high), v - high * 1e8, 8);
}

/** A round-trip time in ns as milliseconds with up to six decimals: exact, no float formatting. */
function writeRttMs(into: Buffer, at: number, rttNs: number): number {
  if (!Number.isInteger(rttNs) || rttNs >= 2 ** 53) return at + into.write(String(rttNs / 1e6), at, 'latin1');
  const whole = Math.floor(rttNs / 1e6);
  let end = writePadded(into, writeUint(into, at, whole) + 1, rttNs - whole * 1e6, 6);
  into[end - 7] = 46; // '.'
  while (end - 2 > at && into[end - 1] === 48 && into[end - 2] !== 46) end--;
  return end;
}

// The escaped "icmp,src=…,src_loc=… dst=\"" of the last sweep: the same for all its rows.
let prefixFor = { src: '', srcLoc: '', bytes: ascii('') };

function icmpPrefix(src: string, srcLoc: string): Buffer {
  if (prefixFor.bytes.length === 0 || prefixFor.src !== src || prefixFor.srcLoc !== srcLoc) {
    const text = `icmp${symbolPart('src', src)}${symbolPart('src_loc', srcLoc)} dst="`;
    prefixFor = { src, srcLoc, bytes: Buffer.from(text, 'utf8') };
  }
  return prefixFor.bytes;
}

/** Longest ICMP row after the prefix with an IPv4 target (dst, seq, rtt, flow, timestamp). */
const maxIpv4RowTail = 15 + 6 + 10 + 9 + 24 + 11 + 20 + 2;
/** Extra room for one row with an IPv6 target (up to 45 characters instead of 15). */
const ipv6Room = 64;

/** Which encoder writes ICMP rows: the addon's when it loads ("auto"), or always JavaScript. */
export type IcmpEncoder = 'auto' | 'js';

let native: NativeIcmpIlpEncoder | null | undefined;

function nativeEncoder(): NativeIcmpIlpEncoder | null {
  native ??= nativeIcmpIlpEncoder() ?? null;
  return native;
}

/** One ICMP row in JavaScript (the reference for the native encoder, and its fallback). */
function writeIcmpRow(b: Buffer, at: number, prefix: Buffer, batch: IcmpBatch, ipv4: Uint32Array, i: number): number {
  let p = at;
  b.set(prefix, p);
  p += prefix.length;
  const target = batch.targetIndex[i]!;
  if (target < batch.targets.ipv4Size) {
    const a = ipv4[target]!;
    p = writeOctet(b, p, a >>> 24, 46);
    p = writeOctet(b, p, (a >>> 16) & 255, 46);
    p = writeOctet(b, p, (a >>> 8) & 255, 46);
    p = writeOctet(b, p, a & 255, 34);
  } else {
    p += b.write(escapeString(batch.targets.addressAt(target)), p, 'utf8');
    b[p++] = 34;
  }
  p = copy(b, p, seqField);
  p = writeUint(b, p, batch.seq[i]!);
  const rtt = batch.rttNs[i]!;
  if (rtt >= 0) {
    p = copy(b, p, rttField);
    p = writeRttMs(b, p, rtt);
  } else {
    b[p++] = 105; // 'i' of seq
  }
  const f = batch.flow ? batch.flow[i]! : 0;
  if (f !== 0) {
    p = copy(b, p, flowField);
    p = writeUint32(b, p, f);
    b[p++] = 105;
  }
  b[p++] = 32;
  const ts = Math.trunc(batch.sendTimeUs[i]!);
  p = ts >= 0 && ts < 2 ** 53 ? writeUint(b, p, ts) : p + b.write(String(ts), p, 'latin1');
  b[p++] = 48;
  b[p++] = 48;
  b[p++] = 48;
  b[p++] = 10;
  return p;
}

/** Appends rows [from, to) of an ICMP batch to `out`, in native code where it can. */
export function encodeIcmpRows(
  out: IlpBuffer,
  batch: IcmpBatch,
  from = 0,
  to = batch.length,
  encoder: IcmpEncoder = 'auto',
): void {
  const prefix = icmpPrefix(batch.src, batch.srcLoc);
  const ipv4 = batch.targets.ipv4Addresses();
  const rowBytes = prefix.length + maxIpv4RowTail;
  const fast = encoder === 'auto' ? nativeEncoder() : null;
  let b = out.reserve((to - from) * rowBytes);
  let p = out.length;
  let i = from;
  while (i < to) {
    if (fast) {
      const { targetIndex, seq, rttNs, sendTimeUs, flow } = batch;
      [p, i] = fast(
        b,
        p,
        prefix,
        ipv4,
        batch.targets.ipv4Size,
        targetIndex,
        seq,
        rttNs,
        sendTimeUs,
        flow ?? null,
        i,
        to,
      );
      if (i >= to) break;
    }
    // A row the native encoder leaves to JavaScript (IPv6, a fractional RTT), or every row.
    if (p + rowBytes + ipv6Room > b.length) {
      out.commit(p, 0);
      b = out.reserve((to - i) * rowBytes + ipv6Room);
    }
    p = writeIcmpRow(b, p, prefix, batch, ipv4, i);
    i++;
  }
  out.commit(p, to - from);
}

function httpLine(r: HttpResult): string {
  const symbols =
    symbolPart('src', r.src) +
    symbolPart('src_loc', r.srcLoc) +
    symbolPart('dst', r.dst) +
    symbolPart('dst_host', r.dstHost) +
    symbolPart('dst_ip', r.dstIp) +
    symbolPart('dst_loc', r.dstLoc) +
    symbolPart('error', r.error);
  const fields =
    `status=${Math.trunc(r.status)}i,size_bytes=${Math.trunc(r.sizeBytes)}i,ok=${r.ok ? 't' : 'f'}` +
    floatPart('dns_ms', r.dnsMs) +
    floatPart('connect_ms', r.connectMs) +
    floatPart('tls_ms', r.tlsMs) +
    floatPart('ttfb_ms', r.ttfbMs) +
    floatPart('close_ms', r.closeMs) +
    floatPart('total_ms', r.totalMs);
  return `http${symbols} ${fields} ${Math.trunc(r.tsUs)}000\n`;
}

function icmpSweepLine(r: IcmpSweepRecord): string {
  const symbols =
    symbolPart('src', r.src) +
    symbolPart('src_loc', r.srcLoc) +
    symbolPart('timestamp_mode', r.timestampMode) +
    symbolPart('socket_mode', r.socketMode);
  const counts = { targets: r.targets, probes: r.probes, replies: r.replies, lost: r.lost };
  const more = { tx_stamp_fallbacks: r.txStampFallbacks, senders: r.senders, flows: r.flows };
  const fields =
    Object.entries({ ...counts, ...more, rejected: r.rejected, kernel_drops: r.kernelDrops })
      .map(([name, value]) => `${name}=${Math.trunc(value)}i`)
      .join(',') + floatPart('sweep_s', r.sweepSeconds);
  return `icmp_sweep${symbols} ${fields} ${Math.trunc(r.tsUs)}000\n`;
}

/** A string field, left out (NULL) when absent. */
function stringPart(name: string, value: string | null): string {
  return value === null ? '' : `,${name}="${escapeString(value)}"`;
}

function pathLine(r: PathRecord): string {
  const symbols = symbolPart('src', r.src) + symbolPart('src_loc', r.srcLoc) + symbolPart('reason', r.reason);
  const fields =
    `dst="${escapeString(r.dst)}"` +
    stringPart('dst_ip', r.dstIp) +
    `,flow=${Math.trunc(r.flow)}i,hop=${Math.trunc(r.hop)}i` +
    stringPart('addr', r.addr) +
    `,sent=${Math.trunc(r.sent)}i,received=${Math.trunc(r.received)}i` +
    floatPart('rtt_min', r.rttMsMin) +
    floatPart('rtt_avg', r.rttMsAvg) +
    floatPart('rtt_max', r.rttMsMax) +
    floatPart('loss', r.loss) +
    floatPart('rtt_jump_ms', r.rttJumpMs) +
    `,slow_hop=${r.slowHop ? 't' : 'f'},reached=${r.reached ? 't' : 'f'},path_change=${r.pathChange ? 't' : 'f'}`;
  return `path${symbols} ${fields} ${Math.trunc(r.tsUs)}000\n`;
}

/** Appends rows [from, to) built as strings (HTTP results, sweep records, path hops: a few per second). */
function appendLines<T>(
  out: IlpBuffer,
  items: readonly T[],
  line: (item: T) => string,
  from: number,
  to: number,
): void {
  let text = '';
  for (let i = from; i < to; i++) text += line(items[i]!);
  out.appendText(text, to - from);
}

/** Appends rows [from, to) of any batch. */
export function encodeRows(out: IlpBuffer, batch: ResultBatch, from: number, to: number): void {
  if (batch.family === 'icmp') encodeIcmpRows(out, batch, from, to);
  else if (batch.family === 'icmp_sweep') appendLines(out, batch.results, icmpSweepLine, from, to);
  else if (batch.family === 'path') appendLines(out, batch.results, pathLine, from, to);
  else appendLines(out, batch.results, httpLine, from, to);
}

/** Encodes whole batches as ILP rows for the tables icmp, http, icmp_sweep and path. */
export function encodeBatches(batches: readonly ResultBatch[]): Buffer {
  const out = new IlpBuffer();
  for (const batch of batches) encodeRows(out, batch, 0, batchRows(batch));
  return Buffer.from(out.view());
}

/**
 * Where each row of ILP text ends (offsets just past its newline). A newline escaped with a
 * backslash, or inside a string field's quotes, is part of a value, not the end of a row.
 */
export function rowEnds(text: Uint8Array): number[] {
  const ends: number[] = [];
  let inFields = false; // past the first unescaped space (table and symbols come before it)
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 92)
      i++; // backslash: the next byte is literal
    else if (quoted) quoted = c !== 34;
    else if (c === 34 && inFields && text[i - 1] === 61)
      quoted = true; // ="… opens a string
    else if (c === 32) inFields = true;
    else if (c === 10) {
      ends.push(i + 1);
      inFields = false;
    }
  }
  return ends;
}
