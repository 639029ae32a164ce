/**
 * One ICMP sweep's facts, stored per sweep (QuestDB table `icmp_sweep`): how its RTTs were timed
 * and what it counted, so a reader can tell a sweep timed from kernel TX stamps from one that fell
 * back to user-space send times.
 */
export interface IcmpSweepRecord {
    /** When the sweep started, microseconds since the Unix epoch (UTC). */
    tsUs: number;
    /** Collector that ran it. */
    src: string;
    srcLoc: string;
    targets: number;
    probes: number;
    replies: number;
    lost: number;
    /** 'hardware', 'software' or 'user' (see `--timestamps`). */
    timestampMode: string;
    /** Replies timed from the user send time because their TX stamp was missing. */
    txStampFallbacks: number;
    /** 'raw' or 'ping'. */
    socketMode: string;
    senders: number;
    flows: number;
    /** Replies rejected: duplicates, late, bad cookie, foreign. */
    rejected: number;
    /** Replies the kernel dropped from a full receive queue. */
    kernelDrops: number;
    /** First send until every probe was answered or timed out. */
    sweepSeconds: number;
}
