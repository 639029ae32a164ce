// Text forms of a sweep's results: NDJSON lines (the CLI contract), fping-style lines and the summary.
import type { ProbeBatch, SweepStats, SocketMode } from '@pingsphere/native';
import { isoMicroseconds } from '../results/timestamps.js';
import type { TargetList } from './target-list.js';
import type { SweepSummary } from './sweep-tally.js';

export { isoMicroseconds };

/** RTT in ms rounded to the microsecond, or null for a lost probe. */
export function rttMsOrNull(rttNs: number): number | null {
  return rttNs < 0 ? null : Math.round(rttNs / 1e3) / 1e3;
}

// The per-probe lines are written at millions a second, so their numbers are formatted from whole
// microseconds with integer arithmetic: Number → string of a fraction and toFixed cost several
// times more than the rest of the line.

/** Whole microseconds → milliseconds as JSON writes `us / 1000` ("21.04", "0.052", "7"). */
function msJson(us: number): string {
  const ms = Math.floor(us / 1000);
  const fraction = us - ms * 1000;
  if (fraction === 0) return `${ms}`;
  if (fraction % 100 === 0) return `${ms}.${fraction / 100}`;
  if (fraction % 10 === 0) return `${ms}.${fraction < 100 ? '0' : ''}${fraction / 10}`;
  return `${ms}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}

/** Whole microseconds → milliseconds with three decimals ("21.040"). */
function msFixed3(us: number): string {
  const ms = Math.floor(us / 1000);
  const fraction = us - ms * 1000;
  return `${ms}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}

/**
 * One probe as the `--json` NDJSON line: {"target","seq","rtt_ms","ts"}, plus "flow" when given.
 * `target` is an address (digits, hex, '.' and ':'), which JSON needs no escaping for.
 */
export function ndjsonLine(target: string, seq: number, rttNs: number, sendTimeUs: number, flow?: number): string {
  const rtt = rttNs < 0 ? 'null' : msJson(Math.round(rttNs / 1e3));
  const flowField = flow === undefined ? '' : `,"flow":${flow}`;
  return `{"target":"${target}","seq":${seq},"rtt_ms":${rtt},"ts":"${isoMicroseconds(sendTimeUs)}"${flowField}}\n`;
}

/** One probe in fping's `-c` style (RTT rounded to the microsecond, as in the NDJSON line). */
export function humanLine(target: string, seq: number, rttNs: number, packetBytes: number): string {
  return rttNs < 0
    ? `${target} : [${seq}], timed out\n`
    : `${target} : [${seq}], ${packetBytes} bytes, ${msFixed3(Math.round(rttNs / 1e3))} ms\n`;
}

/**
 * One engine batch's per-probe lines as one string: NDJSON (`--json`, with each probe's flow when
 * `withFlow`) or fping's `-c` style.
 */
export function probeLines(
  batch: ProbeBatch,
  targets: TargetList,
  format: 'json' | 'text',
  packetBytes: number,
  withFlow = false,
): string {
  let text = '';
  for (let i = 0; i < batch.targetIndex.length; i++) {
    const target = targets.addressAt(batch.targetIndex[i]!);
    text +=
      format === 'json'
        ? ndjsonLine(target, batch.seq[i]!, batch.rttNs[i]!, batch.sendTimeUs[i]!, withFlow ? batch.flow[i] : undefined)
        : humanLine(target, batch.seq[i]!, batch.rttNs[i]!, packetBytes);
  }
  return text;
}

/** The end-of-sweep summary (stderr, like fping's). */
export function summaryText(summary: SweepSummary, stats: SweepStats, mode: SocketMode, interrupted: boolean): string {
  const rate = stats.sendSeconds > 0 ? Math.round(stats.sent / stats.sendSeconds) : stats.sent;
  const rtt = summary.rttMs;
  const lines = [
    `--- pingsphere icmp: ${summary.targets} targets, ${mode === 'raw' ? 'raw sockets' : 'ping sockets'}${interrupted ? ', interrupted' : ''} ---`,
    `${summary.alive} alive, ${summary.unreachable} unreachable`,
    `${summary.probes} probes: ${summary.replies} replies, ${summary.lost} lost (${summary.lossPercent.toFixed(1)}% loss)`,
    rtt
      ? `rtt min/avg/max = ${rtt.min.toFixed(3)}/${rtt.avg.toFixed(3)}/${rtt.max.toFixed(3)} ms, p50/p90/p99 = ${rtt.p50.toFixed(3)}/${rtt.p90.toFixed(3)}/${rtt.p99.toFixed(3)} ms`
      : 'rtt: no replies',
    `sent ${stats.sent} probes in ${stats.sendSeconds.toFixed(3)} s (${rate} probes/s, ${stats.senders} ${stats.senders === 1 ? 'sender' : 'senders'}), sweep ${stats.sweepSeconds.toFixed(3)} s`,
    `rejected: ${stats.duplicates} duplicates, ${stats.late} late, ${stats.badCookie} bad cookie, ${stats.foreign} foreign; ` +
      `${stats.kernelDrops} kernel drops, ${stats.sendErrors} send errors`,
    timestampLine(stats),
  ];
  return lines.join('\n') + '\n';
}

/** Which time stamps timed the RTTs, and how many replies fell back to the user send time. */
function timestampLine(stats: SweepStats): string {
  const kind = {
    hardware: 'hardware (NIC TX and RX stamps)',
    software: 'software (kernel TX and RX stamps)',
    user: 'user (send time read before sending, kernel RX stamps)',
  }[stats.timestampMode];
  const note = stats.timestampNote === '' ? '' : ` (${stats.timestampNote})`;
  const fallbacks = stats.timestampMode === 'user' ? '' : `, ${stats.txStampFallbacks} TX-stamp fallbacks`;
  return `time stamps: ${kind}${note}${fallbacks}`;
}
