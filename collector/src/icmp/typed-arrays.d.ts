type Column = Uint8Array | Uint32Array | Float64Array;
/** A copy of `column` with room for `capacity` values (the old values first). */
export declare function grown<T extends Column>(column: T, capacity: number): T;
/** `a` then `b`, in one new column of their type. */
export declare function joined<T extends Column>(a: T, b: T): T;
export {};
