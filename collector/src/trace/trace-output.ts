// How `pingsphere trace` prints results: an mtr --report-like table per target and flow, or one
// NDJSON line per hop (the #14 contract), and the distinct paths when several flows were traced.
import type { HopResult, TraceResult } from './trace-types.js';

const ms = (value: number | null) => (value === null ? '-' : value.toFixed(1));

/** One NDJSON line per hop: {"target","flow","hop","addr","sent","received","rtt_ms_min","rtt_ms_avg","rtt_ms_max"}. */
export function hopJsonLines(result: TraceResult): string {
  let out = '';
  for (const hop of result.hops) {
    out += `${JSON.stringify({
      target: hop.target,
      flow: hop.flow,
      hop: hop.hop,
      addr: hop.addr,
      sent: hop.sent,
      received: hop.received,
      rtt_ms_min: hop.rttMsMin,
      rtt_ms_avg: hop.rttMsAvg,
      rtt_ms_max: hop.rttMsMax,
    })}\n`;
  }
  return out;
}

function lossPercent(hop: HopResult): string {
  return hop.sent === 0 ? '-' : `${(((hop.sent - hop.received) / hop.sent) * 100).toFixed(1)}%`;
}

/** mtr --report's layout: hop, address (??? when silent), loss, sent, avg, best, worst. */
export function reportText(result: TraceResult, flows: number): string {
  const flowNote = flows > 1 ? ` (flow ${result.flow})` : '';
  const status = result.reached ? `reached in ${result.hops.length} hops` : 'not reached';
  const width = Math.max(16, ...result.hops.map((hop) => (hop.addr ?? '???').length));
  let out = `trace to ${result.target}${flowNote}: ${status}\n`;
  out += `${'HOP'.padStart(5)}   ${'ADDRESS'.padEnd(width)} ${'Loss%'.padStart(6)} ${'Snt'.padStart(4)} ${'Avg'.padStart(8)} ${'Best'.padStart(8)} ${'Wrst'.padStart(8)}\n`;
  for (const hop of result.hops) {
    out += `${`${hop.hop}.|--`.padStart(7)} ${(hop.addr ?? '???').padEnd(width)} ${lossPercent(hop).padStart(6)} ${String(hop.sent).padStart(4)} ${ms(hop.rttMsAvg).padStart(8)} ${ms(hop.rttMsMin).padStart(8)} ${ms(hop.rttMsMax).padStart(8)}\n`;
  }
  return out;
}

/** The hop lists of one target's flows, grouped: each distinct path with the flows that took it. */
export function distinctPaths(results: readonly TraceResult[]): { path: (string | null)[]; flows: number[] }[] {
  const groups = new Map<string, { path: (string | null)[]; flows: number[] }>();
  for (const result of results) {
    const path = result.hops.map((hop) => hop.addr);
    const key = JSON.stringify(path);
    const group = groups.get(key) ?? { path, flows: [] };
    group.flows.push(result.flow);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** "2 distinct paths to T: flows 0,2: a → b → …; flows 1,3: …" */
export function distinctPathsText(target: string, results: readonly TraceResult[]): string {
  const paths = distinctPaths(results);
  let out = `${paths.length} distinct path${paths.length === 1 ? '' : 's'} to ${target} over ${results.length} flows\n`;
  for (const { path, flows } of paths) {
    out += `  flows ${flows.join(',')}: ${path.map((addr) => addr ?? '???').join(' → ')}\n`;
  }
  return out;
}
