import type { HttpResult } from './http-result.js';
import type { IcmpBatch } from './icmp-batch.js';
import type { IcmpSweepRecord } from './icmp-sweep-record.js';
import type { PathRecord } from './path-record.js';

/** A round of HTTP pings (a few hundred results at most: one object each). */
export interface HttpBatch {
  readonly family: 'http';
  readonly results: readonly HttpResult[];
}

/** The record of finished ICMP sweeps (stored per sweep; sinks without a place for it skip it). */
export interface IcmpSweepBatch {
  readonly family: 'icmp_sweep';
  readonly results: readonly IcmpSweepRecord[];
}

/** Hops of traced paths (a few hundred rows per trace run; sinks without a place for them skip them). */
export interface PathBatch {
  readonly family: 'path';
  readonly results: readonly PathRecord[];
}

/**
 * Results of one probe family handed on together: an ICMP sweep's column batch, HTTP results,
 * the per-sweep records, or traced paths.
 */
export type ResultBatch = IcmpBatch | HttpBatch | IcmpSweepBatch | PathBatch;

/** How many results (rows) a batch holds. */
export function batchRows(batch: ResultBatch): number {
  return batch.family === 'icmp' ? batch.length : batch.results.length;
}
