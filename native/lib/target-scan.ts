// The addon's reader of plain dotted-quad target lines (native/src/target_scan.cc), when the addon
// loads. collector/src/icmp/target-file.ts has the JavaScript reader (the same rules) for when not.
import { loadIcmpAddon } from './addon.js';

export interface PlainIpv4Scan {
  /** Every plain dotted-quad line's address, in file order. */
  addresses: Uint32Array;
  /** (line number, start, end) of every other line, for the full parser. */
  others: Uint32Array;
  /** Lines in the text. */
  lines: number;
}

/** The native scanner, or undefined when the addon is not built (or predates it). */
export function nativePlainIpv4Scanner(): ((bytes: Uint8Array) => PlainIpv4Scan) | undefined {
  try {
    const addon = loadIcmpAddon() as ReturnType<typeof loadIcmpAddon> & {
      scanPlainIpv4Lines?: (bytes: Uint8Array) => PlainIpv4Scan;
    };
    return addon.scanPlainIpv4Lines;
  } catch {
    return undefined;
  }
}
