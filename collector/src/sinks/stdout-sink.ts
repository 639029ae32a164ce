// Results on the terminal: pingmesh's tab-separated line per request and its end-of-run averages
// per endpoint, or (--json) one NDJSON line per result with the store's field names.
import type { Writable } from 'node:stream';
import type { HttpResult } from '../results/http-result.js';
import type { IcmpBatch } from '../results/icmp-batch.js';
import type { ResultBatch } from '../results/result-batch.js';
import { humanLine, ndjsonLine } from '../icmp/sweep-output.js';
import { defaultSweepOptions } from '../icmp/sweep-options.js';
import { PeerStats, round3 } from '../mesh/peer-stats.js';
import { isoMicroseconds } from '../results/timestamps.js';
import type { ResultSink, SinkStats } from './result-sink.js';

/** How the stdout sink prints. */
export interface StdoutSinkOptions {
  /** "text": pingmesh's lines; "json": NDJSON of every result. */
  format: 'text' | 'json';
  /** pingmesh verbosity: 0 quiet (averages only), 1 a line per request, 2+ also the column header. */
  verbosity: number;
  out?: Writable;
  /** Where failures and (in JSON mode) the averages go, so stdout stays pure NDJSON. */
  err?: Writable;
}

const columnHeader =
  '# timestamp\tDNS\tTCP\tTLS\tFirst\tLastB\tTotal\tHTTP\tSize\tFrom_Location\tRemote_Addr\tproto://uri\n';

const ms = (value: number) => value.toFixed(3);

/** ICMP header + the collector's sweep payload, as fping reports packet sizes. */
const icmpPacketBytes = defaultSweepOptions.payloadBytes + 8;

/** An HTTP result as one NDJSON object (snake_case, as `pingsphere icmp --json` and the store). */
export function httpResultJson(result: HttpResult): string {
  return JSON.stringify({
    ts: isoMicroseconds(result.tsUs),
    src: result.src,
    src_loc: result.srcLoc,
    dst: result.dst,
    dst_host: result.dstHost,
    dst_ip: result.dstIp,
    dst_loc: result.dstLoc,
    status: result.status,
    dns_ms: round3(result.dnsMs),
    connect_ms: round3(result.connectMs),
    tls_ms: round3(result.tlsMs),
    ttfb_ms: round3(result.ttfbMs),
    close_ms: round3(result.closeMs),
    total_ms: round3(result.totalMs),
    size_bytes: result.sizeBytes,
    ok: result.ok,
    error: result.error,
  });
}

/** An ICMP batch as `pingsphere icmp --json` writes it (the CLI contract's lines). */
function icmpJsonLines(batch: IcmpBatch): string {
  let text = '';
  for (let i = 0; i < batch.length; i++) {
    const dst = batch.targets.addressAt(batch.targetIndex[i]!);
    text += ndjsonLine(dst, batch.seq[i]!, batch.rttNs[i]!, batch.sendTimeUs[i]!);
  }
  return text;
}

/** An ICMP batch in fping's `-c` style. */
function icmpHumanLines(batch: IcmpBatch): string {
  let text = '';
  for (let i = 0; i < batch.length; i++) {
    const dst = batch.targets.addressAt(batch.targetIndex[i]!);
    text += humanLine(dst, batch.seq[i]!, batch.rttNs[i]!, icmpPacketBytes);
  }
  return text;
}

/** "16s", "1m05s", "2h03m09s", as pingmesh prints elapsed time. */
export function hhmmss(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(sec)}s`;
  if (m > 0) return `${m}m${pad(sec)}s`;
  return `${sec}s`;
}

/** Writes results to stdout as they arrive and per-endpoint averages when closed. */
export class StdoutSink implements ResultSink {
  readonly name = 'stdout';
  readonly showsResults = true;
  private readonly out: Writable;
  private readonly err: Writable;
  private readonly perTarget = new Map<string, { stats: PeerStats; firstUs: number; lastUs: number }>();
  private headerPrinted = false;
  private delivered = 0;
  private closed = false;

  constructor(private readonly options: StdoutSinkOptions) {
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
  }

  write(batch: ResultBatch): void {
    if (batch.family === 'icmp') {
      if (this.options.format === 'json') this.out.write(icmpJsonLines(batch));
      // fping's per-probe lines only when asked for (-v): a sweep can hold a million targets.
      else if (this.options.verbosity > 1) this.out.write(icmpHumanLines(batch));
      this.delivered += batch.length;
      return;
    }
    // Per-sweep records are stored (QuestDB); the collector's log already has a line per sweep.
    if (batch.family === 'icmp_sweep') return;
    // Traced paths likewise: stored, with a line per trace in the collector's log.
    if (batch.family === 'path') return;
    let text = '';
    let errors = '';
    for (const result of batch.results) {
      const target = this.target(result);
      target.stats.record(result);
      target.firstUs = Math.min(target.firstUs, result.tsUs);
      target.lastUs = Math.max(target.lastUs, result.tsUs);
      if (this.options.format === 'json') {
        text += `${httpResultJson(result)}\n`;
        continue;
      }
      if (this.options.verbosity > 1 && !this.headerPrinted) {
        text += columnHeader;
        this.headerPrinted = true;
      }
      if (!result.ok && this.options.verbosity > 0) {
        errors += `${new Date().toISOString()} ${result.status ? `HTTP error ${result.status}` : `fetch failure (${result.error})`} failure ${target.stats.fails} on ${result.dst}\n`;
      }
      if (this.options.verbosity > 0 && (result.ok || result.status > 0)) {
        text += `${target.stats.pings} ${this.line(result)}\n`;
      }
    }
    if (text) this.out.write(text);
    if (errors) this.err.write(errors);
    this.delivered += batch.results.length;
  }

  async flush(): Promise<void> {
    await new Promise<void>((resolve) => (this.out.writableNeedDrain ? this.out.once('drain', resolve) : resolve()));
  }

  /** Prints the end-of-run averages per endpoint (once), then flushes. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const summary = this.summary();
      if (summary) (this.options.format === 'json' ? this.err : this.out).write(summary);
    }
    await this.flush();
  }

  stats(): SinkStats {
    return { delivered: this.delivered, pending: 0, dropped: 0 };
  }

  /** pingmesh's "Recorded N samples in T, average values:" block per endpoint, plus loss and percentiles. */
  summary(): string {
    let text = '';
    for (const [url, { stats, firstUs, lastUs }] of this.perTarget) {
      const elapsed = hhmmss((lastUs - firstUs) / 1e6);
      if (stats.pings === 0) {
        text += `\nRecorded 0 valid samples, ${stats.fails} failures on ${url}\n`;
        continue;
      }
      const n = stats.pings;
      const t = stats.totals;
      const p = stats.totalPercentiles();
      text +=
        `\nRecorded ${n} samples in ${elapsed}, average values:\n${columnHeader}` +
        `${n} ${elapsed.padEnd(6)}\t${ms(t.dnsMs / n)}\t${ms(t.connectMs / n)}\t${ms(t.tlsMs / n)}\t` +
        `${ms(t.ttfbMs / n)}\t${ms(t.closeMs / n)}\t${ms(t.totalMs / n)}\t\t${Math.floor(t.sizeBytes / n)}\t\t${url}\n` +
        `# loss ${stats.lossPct().toFixed(1)}% (${stats.fails} of ${n + stats.fails} failed)\t` +
        `total p50 ${p.P50} p90 ${p.P90} p99 ${p.P99} ms (last ${stats.windowSamples})\n`;
    }
    return text;
  }

  private target(result: HttpResult) {
    let target = this.perTarget.get(result.dst);
    if (!target) {
      target = { stats: new PeerStats(), firstUs: result.tsUs, lastUs: result.tsUs };
      this.perTarget.set(result.dst, target);
    }
    return target;
  }

  private line(r: HttpResult): string {
    return [
      Math.floor(r.tsUs / 1e6),
      ms(r.dnsMs),
      ms(r.connectMs),
      ms(r.tlsMs),
      ms(r.ttfbMs),
      ms(r.closeMs),
      ms(r.totalMs),
      String(r.status).padStart(3, '0'),
      r.sizeBytes,
      r.dstLoc || 'unknown',
      r.dstIp,
      r.dst,
    ].join('\t');
  }
}
