export interface TraceOptions {
  maxHops: number;
  probesPerHop: number;
  flows: number;
  ratePps: number;
  timeoutMs: number;
  firstTtl?: number;
}
export interface HopResult {
  target: string;
  flow: number;
  hop: number;
  addr: string | null;
  sent: number;
  received: number;
  rttMsMin: number | null;
  rttMsAvg: number | null;
  rttMsMax: number | null;
  reached: boolean;
}
export interface TraceResult {
  target: string;
  flow: number;
  hops: HopResult[];
  reached: boolean;
  startedAtUs: number;
}
/** Traces many targets in parallel in one engine run. */
export type TraceRunner = (targets: string[], options: TraceOptions) => Promise<TraceResult[]>;
