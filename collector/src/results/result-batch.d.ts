import type { HttpResult } from './http-result.js';
import type { IcmpBatch } from './icmp-batch.js';
import type { IcmpSweepRecord } from './icmp-sweep-record.js';
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
/**
 * Results of one probe family handed on together: an ICMP sweep's column batch, HTTP results, or
 * the per-sweep records.
 */
export type ResultBatch = IcmpBatch | HttpBatch | IcmpSweepBatch;
/** How many results (rows) a batch holds. */
export declare function batchRows(batch: ResultBatch): number;
