import type { IcmpBatch } from '../../results/icmp-batch.js';
import { type ResultBatch } from '../../results/result-batch.js';
/** ILP text being built: whole rows only, so any prefix that ends at a row is a valid request. */
export declare class IlpBuffer {
    private bytes;
    private used;
    private rowCount;
    constructor(capacity?: number);
    get rows(): number;
    get length(): number;
    /** The text so far (a view, valid until the next write). */
    view(): Buffer;
    /** Room for `extra` more bytes; returns the byte array to write into. */
    reserve(extra: number): Buffer;
    /** Marks rows written directly into the array returned by reserve(). */
    commit(end: number, rows: number): void;
    /** Empties the buffer for reuse (its memory is kept: no page faults on the next fill). */
    reset(): void;
    get capacity(): number;
    appendText(text: string, rows: number): void;
}
/** Escapes a symbol value (or name) for ILP: space, comma, equals, newline and backslash. */
export declare function escapeSymbol(value: string): string;
/** Which encoder writes ICMP rows: the addon's when it loads ("auto"), or always JavaScript. */
export type IcmpEncoder = 'auto' | 'js';
/** Appends rows [from, to) of an ICMP batch to `out`, in native code where it can. */
export declare function encodeIcmpRows(out: IlpBuffer, batch: IcmpBatch, from?: number, to?: number, encoder?: IcmpEncoder): void;
/** Appends rows [from, to) of any batch. */
export declare function encodeRows(out: IlpBuffer, batch: ResultBatch, from: number, to: number): void;
/** Encodes whole batches as ILP rows for the tables icmp, http and icmp_sweep of DESIGN.md. */
export declare function encodeBatches(batches: readonly ResultBatch[]): Buffer;
/**
 * Where each row of ILP text ends (offsets just past its newline). A newline escaped with a
 * backslash, or inside a string field's quotes, is part of a value, not the end of a row.
 */
export declare function rowEnds(text: Uint8Array): number[];
