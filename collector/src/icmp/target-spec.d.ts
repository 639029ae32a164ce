import { UsageError } from '../cli/usage-error.js';
export type TargetSpec = {
    kind: 'ipv4';
    address: number;
} | {
    kind: 'ipv6';
    bytes: Uint8Array;
} | {
    kind: 'ipv4-range';
    first: number;
    count: number;
    network: number;
    prefix: number;
} | {
    kind: 'ipv6-range';
    first: Uint8Array;
    count: number;
    prefix: number;
} | {
    kind: 'hostname';
    name: string;
};
/** Largest CIDR range one spec may expand to (2²⁴ addresses, 64 MiB packed). */
export declare const maxRangeAddresses: number;
/** Most targets one sweep may hold (64 MiB of IPv4 addresses). */
export declare const maxSweepTargets: number;
/** A target that is neither an address, a CIDR range nor a valid hostname. */
export declare class InvalidTargetError extends UsageError {
    name: string;
}
/** Parses one target; throws InvalidTargetError with what is wrong and what is accepted. */
export declare function parseTargetSpec(text: string): TargetSpec;
/**
 * The one text form of a target, used as its key in the inventory and the API: addresses in their
 * canonical form (RFC 5952 for IPv6), ranges as network/prefix, hostnames in lower case without a
 * trailing dot. "2001:DB8::1" and "2001:db8:0::1" are the same target.
 */
export declare function targetKey(spec: TargetSpec): string;
/** Hostnames compare case-insensitively and with or without the root's trailing dot. */
export declare function hostnameKey(name: string): string;
/** a.b.c.d → a·2²⁴ + b·2¹⁶ + c·2⁸ + d (strict four-part decimal, no octal or hex forms). */
export declare function parseIpv4(text: string): number;
/** IPv6 text → 16 bytes (zone ids are refused: the engine does not take a scope). */
export declare function parseIpv6(text: string): Uint8Array;
