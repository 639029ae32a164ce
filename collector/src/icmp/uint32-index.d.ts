/** Maps uint32 keys to non-negative integers. */
export declare class Uint32Index {
    private keys;
    private values;
    private mask;
    private count;
    constructor(expected?: number);
    get size(): number;
    /** The value stored for `key`, or -1. */
    get(key: number): number;
    /** Stores `value` (>= 0) for `key`; returns the value it replaced, or -1. */
    set(key: number, value: number): number;
    /** Removes `key`; returns its value, or -1 when it was not there. */
    delete(key: number): number;
    /** Calls `visit` for every key and value, in no particular order. */
    forEach(visit: (key: number, value: number) => void): void;
    private grow;
}
