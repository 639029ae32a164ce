import type { SweepPlan } from './sweep-plan.js';
export interface TargetsTableWriterOptions {
    /** The QuestDB client configuration string (as --questdb). */
    conf: string;
    src: string;
    log: (line: string) => void;
    /** All rows are written again this often (last_seen); default one hour. */
    refreshMs?: number;
    retryMs?: number;
    now?: () => number;
}
/** One collector's rows of the `targets` table. */
export declare class TargetsTableWriter {
    private readonly options;
    private readonly endpoint;
    private readonly rest;
    private readonly state;
    private ready;
    private lastPlan;
    private pendingPlan;
    private round;
    private lastFullUs;
    /** Writes run one after another. */
    private queue;
    private retryTimer;
    private refreshTimer;
    private stopped;
    private lastError;
    /** Rows written over the writer's life (for tests and logs). */
    rowsWritten: number;
    constructor(options: TargetsTableWriterOptions);
    /**
     * Writes what changed with this plan (everything at the first call and when `full`) and waits
     * until QuestDB shows it. Rejects when QuestDB cannot be reached; it is tried again later.
     */
    publish(plan: SweepPlan, full?: boolean): Promise<void>;
    /**
     * Stops writing. A write in flight gets two seconds, then is left (the table is state: the next
     * start writes it again), so a slow QuestDB cannot hold a stopping collector.
     */
    stop(): Promise<void>;
    private flush;
    /** Reads this collector's rows: first_seen of each target, so rewrites hit the same row. */
    private readBack;
    private readRow;
    /** The ILP lines for a plan, and how to record them once QuestDB has taken them. */
    private rowsFor;
    private send;
    /**
     * Waits (up to 10 s, less once stopping) until QuestDB has applied every write to `targets`; a
     * busy QuestDB that does not answer in time costs only the wait (the rows are in its WAL already).
     */
    private waitApplied;
    private now;
}
/** The /24 of an IPv4 address or the /48 of an IPv6 one, for targets without a group or place. */
export declare function prefixOf(address: string): string;
