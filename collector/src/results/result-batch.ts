import type { HttpResult } from './http-result.js';
import type { IcmpResult } from './icmp-result.js';
import type { IcmpSweepRecord } from './icmp-sweep-record.js';

/**
 * Results of one probe family handed on together (a sweep's batch, a round of HTTP pings), or the
 * record of a finished ICMP sweep (stored per sweep; sinks without a place for it skip it).
 */
export type ResultBatch =
  | { family: 'icmp'; results: readonly IcmpResult[] }
  | { family: 'http'; results: readonly HttpResult[] }
  | { family: 'icmp_sweep'; results: readonly IcmpSweepRecord[] };
