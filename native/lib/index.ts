// @pingsphere/native: the ICMP sweep engine's typed API.
export { AddonNotBuiltError, addonPath, loadIcmpAddon } from './addon.js';
export { IcmpPermissionError, IcmpSocketError } from './errors.js';
export { nativeIcmpIlpEncoder, type NativeIcmpIlpEncoder } from './ilp-encoder.js';
export { nativePlainIpv4Scanner, type PlainIpv4Scan } from './target-scan.js';
export {
  IcmpSweep,
  maxPayloadBytes,
  minPayloadBytes,
  type ProbeBatch,
  type SocketMode,
  type SweepProgress,
  type SweepSettings,
  type SweepStats,
  type TimestampMode,
} from './icmp-sweep.js';
export { IcmpTrace, TraceOutcome, type TraceBatch, type TraceSettings, type TraceStats } from './icmp-trace.js';
