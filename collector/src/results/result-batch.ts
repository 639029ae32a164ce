import type { HttpResult } from './http-result.js';
import type { IcmpBatch } from './icmp-batch.js';

/** A round of HTTP pings (a few hundred results at most: one object each). */
export interface HttpBatch {
  readonly family: 'http';
  readonly results: readonly HttpResult[];
}

/** Results of one probe family handed on together: an ICMP sweep's column batch, or HTTP results. */
export type ResultBatch = IcmpBatch | HttpBatch;

/** How many results a batch holds. */
export function batchRows(batch: ResultBatch): number {
  return batch.family === 'icmp' ? batch.length : batch.results.length;
}
