// The ICMP side of the collector: targets in, result batches out. `pingsphere icmp` runs one
// sweep; `pingsphere collect` runs one every --icmp-interval seconds and hands each engine batch
// to the sinks as an IcmpBatch (the engine's columns, no object per probe).
export { buildTargetList, maxSweepTargets, type BuiltTargets } from './build-target-list.js';
export { readTargetSpecs, type SourcedSpec } from './target-input.js';
export { parseTargetSpec, InvalidTargetError, type TargetSpec } from './target-spec.js';
export { TargetList } from './target-list.js';
export { runSweep, startSweep, SweepRun, toIcmpResults, maxSweepProbes } from './run-sweep.js';
export { defaultSweepOptions, validateSweepOptions, type SweepOptions } from './sweep-options.js';
export { SweepTally, type SweepSummary } from './sweep-tally.js';
export { icmpBatchFromProbes, icmpBatchOf, icmpBatchesOf } from './icmp-batches.js';
export { SweepScheduler, type SweepSchedulerOptions, type SweepSchedulerStats } from './sweep-scheduler.js';
