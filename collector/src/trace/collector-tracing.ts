// Wires the collector's tracing (--trace-on-change, --trace-interval) to its results and sinks:
// every batch that goes to the sinks passes the pair watch first, and the traced paths go back out
// through the same fan-out (QuestDB's `path` table). Loaded only when tracing is asked for.
import type { TraceConfig } from '../config/trace-config.js';
import type { ResultFanout } from '../mesh/result-fanout.js';
import { runTraces } from './run-trace.js';
import { TraceScheduler } from './trace-scheduler.js';
import type { TraceRunner } from './trace-types.js';

/** Most triggered traces waiting for the engine; more are counted and dropped. */
const maxQueuedTraces = 10_000;

/** A trace scheduler fed by (and writing to) the collector's fan-out; call start() once probing starts. */
export function collectorTracing(
  config: TraceConfig,
  identity: { src: string; srcLoc: string },
  fanout: ResultFanout,
  log: (line: string) => void,
  runner: TraceRunner = runTraces,
): TraceScheduler {
  const tracing = new TraceScheduler({
    runner,
    trace: config.trace,
    onChange: config.onChange,
    intervalSeconds: config.intervalSeconds,
    batchTargets: config.batchTargets,
    maxQueued: maxQueuedTraces,
    ...identity,
    deliver: (batch) => fanout.writeBatch(batch),
    log,
  });
  fanout.observe((batch) => tracing.observe(batch));
  return tracing;
}
