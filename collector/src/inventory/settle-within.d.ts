/** Waits for `work`, but no longer than `ms`. */
export declare function settleWithin(work: Promise<unknown>, ms: number): Promise<void>;
