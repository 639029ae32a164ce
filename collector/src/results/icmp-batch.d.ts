import type { IcmpResult } from './icmp-result.js';
/** Where an ICMP batch's target indices point: the sweep's packed target list. */
export interface TargetAddresses {
    /** Targets 0 … ipv4Size-1 are IPv4; the rest are IPv6. */
    readonly ipv4Size: number;
    /** The IPv4 targets as 32-bit numbers (a.b.c.d = a·2²⁴ + b·2¹⁶ + c·2⁸ + d), without copying. */
    ipv4Addresses(): Uint32Array;
    /** Text form of the target with this index. */
    addressAt(index: number): string;
}
/**
 * ICMP probe outcomes column-wise, as the engine delivers them: no JavaScript object per probe,
 * so a million-result sweep reaches the sinks as a few hundred typed-array batches. Row i is the
 * probe (targets[targetIndex[i]], seq[i]); every column holds `length` rows.
 */
export interface IcmpBatch {
    readonly family: 'icmp';
    /** Collector that sent the probes and its location ("City,CC", may be empty): one per sweep. */
    readonly src: string;
    readonly srcLoc: string;
    readonly length: number;
    readonly targets: TargetAddresses;
    readonly targetIndex: Uint32Array;
    /** Probe number for its target within the sweep, from 0. */
    readonly seq: Uint32Array;
    /** Round-trip time in nanoseconds, -1 when no valid reply came before the timeout. */
    readonly rttNs: Float64Array;
    /** Send time, microseconds since the Unix epoch. */
    readonly sendTimeUs: Float64Array;
    /** Flow of each probe when the sweep spreads probes over flows (`--flows`); absent means 0. */
    readonly flow?: Uint16Array;
}
/** A batch of `length` rows with zeroed columns, to be filled in (producers other than the engine). */
export declare function allocateIcmpBatch(length: number, targets: TargetAddresses, identity: {
    src: string;
    srcLoc: string;
}): IcmpBatch & {
    readonly flow: Uint16Array;
};
/** Row i as the object form (for consumers that handle few rows; large sweeps should use columns). */
export declare function icmpResultAt(batch: IcmpBatch, i: number): IcmpResult;
/** Every row as objects. */
export declare function icmpResultsOf(batch: IcmpBatch): IcmpResult[];
/** Rows [from, to) as a batch of their own, sharing the columns' memory. */
export declare function sliceIcmpBatch(batch: IcmpBatch, from: number, to: number): IcmpBatch;
