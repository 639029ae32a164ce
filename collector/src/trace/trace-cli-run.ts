// One `pingsphere trace` run: starts the engine, shows progress on stderr, stops cleanly on
// SIGINT/SIGTERM (probes in flight count as lost, what was traced is still printed) and writes
// the results in the chosen form.
import type { TargetList } from '../icmp/target-list.js';
import { startTraces } from './run-trace.js';
import { distinctPathsText, hopJsonLines, reportText } from './trace-output.js';
import type { TraceOptions, TraceResult } from './trace-types.js';

/** Runs with at least this many planned probes report progress even when stderr is not a terminal. */
const bigTraceProbes = 20_000;

export async function runTracesOn(
  targets: TargetList,
  options: TraceOptions,
  io: { progress: NodeJS.WriteStream; write: (text: string) => Promise<void>; json: boolean },
): Promise<{ results: TraceResult[]; interrupted: boolean; summary: string }> {
  const run = startTraces(targets, options);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const planned = run.progress().probesPlanned;
  const showProgress = io.progress.isTTY || planned >= bigTraceProbes;
  const startedAt = Date.now();
  const timer = showProgress
    ? setInterval(() => {
        const p = run.progress();
        const line = `[progress] ${p.sent} probes sent (at most ${p.probesPlanned}), ${p.resolved} done, ${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
        io.progress.write(io.progress.isTTY ? `\r${line}` : `${line}\n`);
      }, 1000)
    : undefined;
  let results: TraceResult[];
  try {
    results = await run.results();
  } finally {
    if (timer) clearInterval(timer);
    if (showProgress && io.progress.isTTY) io.progress.write('\n');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // Results come flow-major per target (target 0's flows, then target 1's …).
  for (let i = 0; i < results.length; i += options.flows) {
    const flows = results.slice(i, i + options.flows);
    for (const result of flows) await io.write(io.json ? hopJsonLines(result) : reportText(result, options.flows));
    if (!io.json && options.flows > 1) await io.write(distinctPathsText(flows[0]!.target, flows));
  }
  const stats = run.stats();
  const reached = results.filter((r) => r.reached).length;
  const summary =
    `trace: ${targets.size} targets × ${options.flows} flows, ${reached}/${results.length} reached; ` +
    `${stats.sent} probes sent (${stats.skipped} of ${stats.probesPlanned} planned skipped past the destination), ` +
    `${stats.echoReplies} echo replies, ${stats.timeExceeded} time-exceeded, ${stats.unreachable} unreachable, ${stats.lost} lost; ` +
    `rejected: ${stats.badCookie} failed validation, ${stats.late} late, ${stats.duplicates} duplicates, ${stats.foreign} foreign; ` +
    `${stats.timestampMode} time stamps; ${stats.seconds.toFixed(2)} s${interrupted ? ' (interrupted)' : ''}\n`;
  return { results, interrupted, summary };
}
