import type { HopResult } from '../trace/trace-types.js';

/** Why a path was traced (the `reason` column of the `path` table). */
export type TraceReason = 'change' | 'loss' | 'scheduled' | 'manual';

/** What a stored hop keeps of the engine's: flow, hop (TTL from 1), responding address (null: silent), probes and RTTs. */
type TracedHop = Pick<
  HopResult,
  'flow' | 'hop' | 'addr' | 'sent' | 'received' | 'rttMsMin' | 'rttMsAvg' | 'rttMsMax' | 'reached'
>;

/**
 * One hop of one traced path (QuestDB table `path`): a trace of (src → dst, flow) is one record per
 * hop, all with the trace's start time, so the hop list of a trace is the rows sharing (ts, src, dst, flow).
 */
export interface PathRecord extends TracedHop {
  /** When the trace started, microseconds since the Unix epoch (UTC): the same for all its hops. */
  tsUs: number;
  /** Collector that traced. */
  src: string;
  srcLoc: string;
  /** The pair's destination as the other tables name it: the ICMP target, or the HTTP peer's host. */
  dst: string;
  /** The address traced (the ICMP target, or the address the HTTP peer was reached at). */
  dstIp: string;
  /** Lost share of this hop's probes, 0 … 1 (null when none was sent). */
  loss: number | null;
  /** This hop's average RTT minus the previous answering hop's (hop 1: minus 0); null when silent. */
  rttJumpMs: number | null;
  /** The hop whose RTT jumps most over the previous answering hop: where added latency appears. */
  slowHop: boolean;
  /** The trace's hop list differs from the previous trace of (src, dst, flow). */
  pathChange: boolean;
  reason: TraceReason;
}
