/**
 * One ICMP echo probe's outcome as an object (the CLI and small consumers). Sweeps reach the sinks
 * column-wise instead (IcmpBatch in icmp-batch.ts), with the same fields.
 */
export interface IcmpResult {
    /** Send time of the probe, microseconds since the Unix epoch (UTC). */
    tsUs: number;
    /** Collector that sent the probe (its name or address). */
    src: string;
    /** Location of the collector ("City,CC"), empty when unknown. */
    srcLoc: string;
    /** Target address as probed (IPv4 or IPv6 text form). */
    dst: string;
    /** Probe number for this target within the sweep, from 0. */
    seq: number;
    /** The probe's flow (its ICMP id and checksum), 0 … flows-1; 0 when the sweep uses one flow. */
    flow: number;
    /** Round-trip time in milliseconds, or null when no valid reply came before the timeout. */
    rttMs: number | null;
}
