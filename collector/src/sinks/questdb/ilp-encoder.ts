import type { HttpResult } from '../../results/http-result.js';
import type { IcmpResult } from '../../results/icmp-result.js';
import type { IcmpSweepRecord } from '../../results/icmp-sweep-record.js';
import type { ResultBatch } from '../../results/result-batch.js';

// InfluxDB line protocol (text), as QuestDB's /write takes it with nanosecond timestamps.
// Hand-written on purpose: the client's row builder writes strings one character at a time
// (about 7.6 µs per row here), which alone would exceed the 5 s budget for a 1 M-result sweep;
// this encoder builds each row as one string. The client still carries the bytes (transport,
// auth, TLS, retries).

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

function symbolPart(name: string, value: string): string {
  // ILP has no empty symbol: an empty value is left out and stored as NULL.
  return value === '' ? '' : `,${name}=${escapeSymbol(value)}`;
}

function floatPart(name: string, value: number | null): string {
  return value === null || !Number.isFinite(value) ? '' : `,${name}=${value}`;
}

/** Timestamp in nanoseconds as text, without going through BigInt. */
function nanos(tsUs: number): string {
  return `${Math.trunc(tsUs)}000`;
}

// A sweep's results share src and src_loc: their escaped prefix is computed once, not per row.
let prefixSrc = '';
let prefixSrcLoc = '';
let icmpPrefix = 'icmp';

function icmpLine(r: IcmpResult): string {
  if (r.src !== prefixSrc || r.srcLoc !== prefixSrcLoc || icmpPrefix === 'icmp') {
    prefixSrc = r.src;
    prefixSrcLoc = r.srcLoc;
    icmpPrefix = `icmp${symbolPart('src', r.src)}${symbolPart('src_loc', r.srcLoc)}`;
  }
  const fields = `seq=${Math.trunc(r.seq)}i${floatPart('rtt_ms', r.rttMs)}`;
  return `${icmpPrefix}${symbolPart('dst', r.dst)} ${fields} ${nanos(r.tsUs)}\n`;
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
  return `http${symbols} ${fields} ${nanos(r.tsUs)}\n`;
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
  return `icmp_sweep${symbols} ${fields} ${nanos(r.tsUs)}\n`;
}

/** Encodes batches as ILP rows for the tables icmp, http and icmp_sweep. */
export function encodeBatches(batches: readonly ResultBatch[]): Buffer {
  const lines: string[] = [];
  for (const batch of batches) {
    if (batch.family === 'icmp') for (const r of batch.results) lines.push(icmpLine(r));
    else if (batch.family === 'icmp_sweep') for (const r of batch.results) lines.push(icmpSweepLine(r));
    else for (const r of batch.results) lines.push(httpLine(r));
  }
  return Buffer.from(lines.join(''), 'utf8');
}
