import { type ExtraLabels, type TargetLabels, type TargetLocation, type TargetRecord } from './target-labels.js';
import { type TargetSpec } from './target-spec.js';
/** Entry kinds, as stored in the kind column. */
export declare const TargetKind: {
    readonly ipv4: 0;
    readonly ipv6: 1;
    readonly ipv4Range: 2;
    readonly ipv6Range: 3;
    readonly hostname: 4;
};
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];
/** What a put did. */
export type PutOutcome = 'added' | 'updated' | 'unchanged';
/** An ordered, keyed set of targets with labels. */
export declare class TargetTable {
    private kinds;
    /** IPv4 address or range network; for IPv6 kinds the 16-byte slot; for hostnames the name's slot. */
    private addresses;
    private prefixes;
    private groupIds;
    private locationIds;
    private live;
    private names;
    private extras;
    private ipv6;
    private ipv6Slots;
    private hostnames;
    private readonly groups;
    private readonly groupIndex;
    private readonly locations;
    private readonly locationIndex;
    private readonly locationObjects;
    private readonly ipv4Index;
    private readonly keyIndex;
    private slots;
    private liveCount;
    private mutations;
    constructor(expected?: number);
    /** Targets in the table. */
    get size(): number;
    /** Entry numbers run from 0 to slotCount - 1; removed ones are not `isLive`. */
    get slotCount(): number;
    /** Grows with every add, update and removal (a cheap "did anything change" check). */
    get mutationCount(): number;
    isLive(entry: number): boolean;
    /** Adds or relabels one IPv4 address (the fast path of a plain targets file). */
    putIpv4(address: number, labels?: TargetLabels): PutOutcome;
    /** Adds or relabels a target. */
    put(spec: TargetSpec, labels?: TargetLabels): PutOutcome;
    /** Adds or relabels the entry `entry` of another table. */
    putFrom(other: TargetTable, entry: number): PutOutcome;
    /** The entry with this key (as made by `targetKey`), or -1. */
    indexOf(key: string): number;
    /** The entry of the same target as `other`'s entry, or -1 (without making its key). */
    indexOfEntry(other: TargetTable, entry: number): number;
    /** Removes a target by key; false when it was not there. */
    remove(key: string): boolean;
    /** Removes one entry. */
    removeAt(entry: number): void;
    /**
     * This table, or a compact copy of it when removed entries are the majority (a copy, so that a
     * reader still walking this one is not disturbed).
     */
    compacted(): TargetTable;
    kindAt(entry: number): TargetKind;
    ipv4At(entry: number): number;
    /** First address and count of an IPv4 range (network and broadcast left out, as fping -g). */
    ipv4RangeAt(entry: number): {
        first: number;
        count: number;
    };
    /** The 16 bytes of an IPv6 address, or of an IPv6 range's first address (a view, do not keep). */
    ipv6At(entry: number): Uint8Array;
    prefixAt(entry: number): number;
    hostnameAt(entry: number): string;
    /** How many addresses the entry stands for (1 for an address or a hostname). */
    addressCountAt(entry: number): number;
    /** The entry's key, its text form in the inventory and the API. */
    keyAt(entry: number): string;
    specAt(entry: number): TargetSpec;
    nameAt(entry: number): string;
    groupAt(entry: number): string;
    locationAt(entry: number): TargetLocation | null;
    extraAt(entry: number): ExtraLabels | null;
    labelsAt(entry: number): TargetLabels;
    /** The API shape of one entry. */
    recordAt(entry: number): TargetRecord;
    /** Live entry numbers, in the order the targets were first added. */
    entries(): IterableIterator<number>;
    private relabel;
    private newEntry;
    private setLabels;
    /** Each distinct location is stored once; the same object (the reader's cache) is found by identity. */
    private locationId;
    private storeIpv6;
    private grow;
}
