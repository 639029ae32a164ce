/**
 * The address (as a number) of the dotted quad at bytes[start…], or -1, and where it ended: a
 * quad followed by anything but `end` or a non-digit, non-dot byte is not one.
 */
export declare function readDottedQuad(bytes: Uint8Array, start: number, end: number): {
    address: number;
    end: number;
};
/** The 32-bit value of `text` if it is exactly a strict dotted quad, else -1. */
export declare function quickIpv4(text: string): number;
