import type { Readable } from 'node:stream';
import { TargetTable } from './target-table.js';
/** A line that was skipped (error) or loaded with a caveat (warning). */
export interface TargetProblem {
    /** "targets.txt line 7". */
    where: string;
    severity: 'error' | 'warning';
    message: string;
}
/** What reading a targets text produced. */
export interface TargetsRead {
    table: TargetTable;
    /** The first `maxListedProblems` problems, in line order. */
    problems: TargetProblem[];
    errors: number;
    warnings: number;
    lines: number;
}
/** Problems listed one by one; beyond this they are only counted. */
export declare const maxListedProblems = 1000;
/** Longer lines are refused (a target with labels fits in a few hundred characters). */
export declare const maxLineBytes = 8192;
/** Incremental reader: feed chunks with `write`, then `end`. */
export declare class TargetTextReader {
    private readonly origin;
    readonly table: TargetTable;
    private readonly plain?;
    private carry;
    private lineNumber;
    private readonly problems;
    private errors;
    private warnings;
    /** Set while the rest of an over-long line is being dropped. */
    private skipToNewline;
    /**
     * `plain`, when given, takes every plain IPv4 line instead of the table (the one-shot `icmp`:
     * straight into its packed TargetList, no entry, no key, probed as listed, as fping does).
     */
    constructor(origin: string, table?: TargetTable, plain?: ((address: number) => void) | undefined);
    write(chunk: Buffer): void;
    end(): TargetsRead;
    private line;
    private noteRepeat;
    private problem;
}
/** Reads a whole stream of targets text (`plain`: see TargetTextReader). */
export declare function readTargetsStream(input: Readable, origin: string, table?: TargetTable, plain?: (address: number) => void): Promise<TargetsRead>;
/** Reads a targets file; an unreadable file throws UsageError naming it. */
export declare function readTargetsFile(path: string, table?: TargetTable, plain?: (address: number) => void): Promise<TargetsRead>;
/** "targets.txt line 2: message" lines for a log or stderr. */
export declare function describeProblem(problem: TargetProblem): string;
