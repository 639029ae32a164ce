import type { HttpResult } from './http-result.js';
import type { IcmpResult } from './icmp-result.js';

/** Results of one probe family handed on together (a sweep's batch, a round of HTTP pings). */
export type ResultBatch =
  { family: 'icmp'; results: readonly IcmpResult[] } | { family: 'http'; results: readonly HttpResult[] };
