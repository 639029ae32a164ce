import type { TargetProblem } from '../icmp/target-file.js';
import { TargetTable } from '../icmp/target-table.js';
/** One entry of the effective list: which layer's table and entry. */
export type EffectiveVisitor = (table: TargetTable, entry: number) => void;
/** What a batch of API changes did. */
export interface PutReport {
    added: number;
    updated: number;
    unchanged: number;
}
export interface DeleteReport {
    deleted: number;
    /** Keys that were not in the effective list (the first 1,000). */
    missing: string[];
    missingCount: number;
}
/** What the last read of the targets file found wrong (for logs, /metrics and GET /v1/targets). */
export interface FileProblems {
    file: string;
    errors: number;
    warnings: number;
    problems: TargetProblem[];
}
/** The three layers and their effective view; `generation` grows with every effective change. */
export declare class TargetInventory {
    private file;
    private remote;
    private puts;
    private readonly deletes;
    private changes;
    private cachedSize;
    private cachedVersion;
    private listeners;
    fileProblems: FileProblems | null;
    /** Grows whenever the effective list changes. */
    get generation(): number;
    /** Entries in the effective list. */
    get size(): number;
    /** The API layer, for the state file. */
    get apiLayer(): {
        puts: TargetTable;
        deletes: ReadonlySet<string>;
    };
    /** Whether `table` is the remote layer (its entries are fenced by --targets-allow). */
    isRemote(table: TargetTable): boolean;
    /** Calls `listener` after every effective change. */
    onChange(listener: () => void): void;
    /** Replaces the file layer with a new read of the file; returns whether anything changed. */
    replaceFile(table: TargetTable, problems: FileProblems): boolean;
    /** Replaces the remote layer with another collector's list; returns whether anything changed. */
    replaceRemote(table: TargetTable): boolean;
    /** API additions and updates (each entry of `table`), applied over the file and remote entries. */
    put(table: TargetTable): PutReport;
    /** API deletions by key; an entry of the file or the remote list stays hidden until put again. */
    delete(keys: Iterable<string>): DeleteReport;
    /** Restores the API layer from the state file (at start, before anything else changes it). */
    restoreApiLayer(puts: TargetTable, deletes: Iterable<string>): void;
    /** Visits the effective list in order: file, remote, then API additions. */
    forEach(visit: EffectiveVisitor): void;
    /**
     * The effective list as a lazy walk, for answers streamed over time: it keeps the layers it
     * started with, so a change while it runs shows partly at most (layers are replaced, not
     * rewritten; API entries added meanwhile may appear).
     */
    walk(): Generator<[TargetTable, number]>;
    /**
     * A digest of the effective list (keys and labels, in order): the same list gives the same
     * version, also after a restart, so a follower's If-None-Match keeps matching.
     */
    get version(): string;
    private replaceLayer;
    /** The entry of a file or remote target with the same key as `table`'s entry, if any. */
    private lowerEntry;
    /** Deletions that no longer hide anything are forgotten (the file dropped the target itself). */
    private dropStaleDeletions;
    private changed;
}
