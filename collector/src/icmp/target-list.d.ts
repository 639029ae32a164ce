/** Targets in engine order: every IPv4 target (in the order added), then every IPv6 target. */
export declare class TargetList {
    private ipv4;
    private ipv4Count;
    private ipv6;
    private ipv6Count;
    get size(): number;
    get ipv4Size(): number;
    get ipv6Size(): number;
    /** Adds one IPv4 address given as a 32-bit number. */
    addIpv4(address: number): void;
    /** Adds `count` consecutive IPv4 addresses starting at `first`. */
    addIpv4Range(first: number, count: number): void;
    addIpv6(bytes: Uint8Array): void;
    /** Adds `count` consecutive IPv6 addresses starting at `first` (count fits the low 32 bits). */
    addIpv6Range(first: Uint8Array, count: number): void;
    /** Adds packed IPv4 addresses (another list's, say). */
    addIpv4List(addresses: Uint32Array): void;
    /** Adds packed IPv6 addresses, 16 bytes each. */
    addIpv6List(bytes: Uint8Array): void;
    /** The IPv4 targets, without copying. */
    ipv4Addresses(): Uint32Array;
    /** The IPv6 targets, 16 bytes each, without copying. */
    ipv6Addresses(): Uint8Array;
    /** Text form of the target with this engine index. */
    addressAt(index: number): string;
    private reserveIpv4;
    private reserveIpv6;
}
/** 32-bit number → dotted quad. */
export declare function formatIpv4(address: number): string;
/**
 * 16 bytes → RFC 5952 text (lower case, no leading zeros, the longest run of two or more zero
 * groups as "::", the first on a tie): what ipaddr.js prints, without its per-call objects (a
 * million IPv6 targets are keyed and printed by this).
 */
export declare function formatIpv6(bytes: Uint8Array): string;
