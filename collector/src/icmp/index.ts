// The ICMP side of the collector: targets in (the targets-file format, labelled), result batches
// out. `pingsphere icmp` runs one sweep; `pingsphere collect` runs one every --icmp-interval
// seconds and hands each engine batch to the sinks as an IcmpBatch (the engine's columns, no
// object per probe).
export { parseTargetSpec, targetKey, maxSweepTargets, InvalidTargetError, type TargetSpec } from './target-spec.js';
export {
  readTargetsFile,
  readTargetsStream,
  TargetTextReader,
  type TargetProblem,
  type TargetsRead,
} from './target-file.js';
export { TargetTable, TargetKind } from './target-table.js';
export { readTargetRecord } from './target-record.js';
export type { TargetLabels, TargetLocation, TargetRecord } from './target-labels.js';
export { HostnameResolver } from './hostname-resolver.js';
export { TargetList } from './target-list.js';
export { runSweep, startSweep, SweepRun, toIcmpResults, maxSweepProbes } from './run-sweep.js';
export { defaultSweepOptions, validateSweepOptions, type SweepOptions } from './sweep-options.js';
export { SweepTally, type SweepSummary } from './sweep-tally.js';
export { icmpBatchFromProbes, icmpBatchOf, icmpBatchesOf } from './icmp-batches.js';
export { SweepScheduler, type SweepSchedulerOptions, type SweepSchedulerStats } from './sweep-scheduler.js';
