// The addon's ILP encoder for the QuestDB sink (native/src/ilp_encoder.cc), when the addon loads.
// The sink has its own JavaScript encoder (the same bytes) for when it does not.
import { loadIcmpAddon } from './addon.js';

/** Writes ILP rows from..to-1 of an ICMP column batch into `out` at `at`; returns [end, nextRow]. */
export type NativeIcmpIlpEncoder = (
  out: Uint8Array,
  at: number,
  prefix: Uint8Array,
  ipv4: Uint32Array,
  ipv4Size: number,
  targetIndex: Uint32Array,
  seq: Uint32Array,
  rttNs: Float64Array,
  sendTimeUs: Float64Array,
  flow: Uint16Array | null,
  from: number,
  to: number,
) => [end: number, nextRow: number];

/** The native encoder, or undefined when the addon is not built (or predates it). */
export function nativeIcmpIlpEncoder(): NativeIcmpIlpEncoder | undefined {
  try {
    const addon = loadIcmpAddon() as ReturnType<typeof loadIcmpAddon> & { encodeIcmpIlp?: NativeIcmpIlpEncoder };
    return addon.encodeIcmpIlp;
  } catch {
    return undefined;
  }
}
