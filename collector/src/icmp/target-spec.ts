// One target as the user wrote it: an IPv4/IPv6 address, a CIDR range or a hostname.
import ipaddr from 'ipaddr.js';
import { UsageError } from '../cli/usage-error.js';
import { formatIpv4, formatIpv6 } from './target-list.js';

export type TargetSpec =
  | { kind: 'ipv4'; address: number }
  | { kind: 'ipv6'; bytes: Uint8Array }
  | { kind: 'ipv4-range'; first: number; count: number; network: number; prefix: number }
  | { kind: 'ipv6-range'; first: Uint8Array; count: number; prefix: number }
  | { kind: 'hostname'; name: string };

/** Largest CIDR range one spec may expand to (2²⁴ addresses, 64 MiB packed). */
export const maxRangeAddresses = 1 << 24;

/** Most targets one sweep may hold (64 MiB of IPv4 addresses). */
export const maxSweepTargets = maxRangeAddresses;

/** A target that is neither an address, a CIDR range nor a valid hostname. */
export class InvalidTargetError extends UsageError {
  override name = 'InvalidTargetError';
}

const hostnamePattern =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** Parses one target; throws InvalidTargetError with what is wrong and what is accepted. */
export function parseTargetSpec(text: string): TargetSpec {
  const spec = text.trim();
  if (spec === '') throw new InvalidTargetError('empty target');
  if (spec.includes('/')) return parseRange(spec);
  if (spec.includes(':')) return { kind: 'ipv6', bytes: parseIpv6(spec) };
  if (/^[0-9.]+$/.test(spec)) return { kind: 'ipv4', address: parseIpv4(spec) };
  if (!hostnamePattern.test(spec)) {
    throw new InvalidTargetError(
      `"${spec}" is not a valid target: give an IPv4/IPv6 address, a CIDR range (198.18.0.0/24) or a hostname`,
    );
  }
  return { kind: 'hostname', name: spec };
}

/**
 * The one text form of a target, used as its key in the inventory and the API: addresses in their
 * canonical form (RFC 5952 for IPv6), ranges as network/prefix, hostnames in lower case without a
 * trailing dot. "2001:DB8::1" and "2001:db8:0::1" are the same target.
 */
export function targetKey(spec: TargetSpec): string {
  switch (spec.kind) {
    case 'ipv4':
      return formatIpv4(spec.address);
    case 'ipv6':
      return formatIpv6(spec.bytes);
    case 'ipv4-range':
      return `${formatIpv4(spec.network)}/${spec.prefix}`;
    case 'ipv6-range':
      return `${formatIpv6(spec.first)}/${spec.prefix}`;
    case 'hostname':
      return hostnameKey(spec.name);
  }
}

/** Hostnames compare case-insensitively and with or without the root's trailing dot. */
export function hostnameKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** a.b.c.d → a·2²⁴ + b·2¹⁶ + c·2⁸ + d (strict four-part decimal, no octal or hex forms). */
export function parseIpv4(text: string): number {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) {
    throw new InvalidTargetError(`"${text}" is not a valid IPv4 address (expected four numbers 0-255, like 192.0.2.1)`);
  }
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** IPv6 text → 16 bytes (zone ids are refused: the engine does not take a scope). */
export function parseIpv6(text: string): Uint8Array {
  if (text.includes('%')) {
    throw new InvalidTargetError(`"${text}": IPv6 zone ids are not supported; bind the interface with --iface instead`);
  }
  if (!ipaddr.IPv6.isValid(text)) throw new InvalidTargetError(`"${text}" is not a valid IPv6 address`);
  return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
}

function parseRange(spec: string): TargetSpec {
  const [base = '', prefixText = '', ...rest] = spec.split('/');
  const bad = (why: string) =>
    new InvalidTargetError(
      `"${spec}" is not a valid CIDR range: ${why} (expected e.g. 198.18.0.0/24 or 2001:db8::/120)`,
    );
  if (rest.length > 0 || !/^\d{1,3}$/.test(prefixText)) throw bad('the prefix length must be a number');
  const prefix = Number(prefixText);
  if (base.includes(':')) {
    if (prefix > 128) throw bad('an IPv6 prefix is at most 128');
    const hostBits = 128 - prefix;
    if (2 ** hostBits > maxRangeAddresses) {
      throw bad(`/${prefix} holds 2^${hostBits} addresses; at most 2^24 per range (use a prefix of /104 or longer)`);
    }
    const first = parseIpv6(base);
    // Clear the host bits so 2001:db8::5/120 means the whole /120.
    for (let bit = prefix; bit < 128; bit++) first[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return { kind: 'ipv6-range', first, count: 2 ** hostBits, prefix };
  }
  if (!/^[0-9.]+$/.test(base)) throw bad('the base must be an IPv4 or IPv6 address');
  if (prefix > 32) throw bad('an IPv4 prefix is at most 32');
  const hostBits = 32 - prefix;
  if (2 ** hostBits > maxRangeAddresses) {
    throw bad(`/${prefix} holds 2^${hostBits} addresses; at most 2^24 per range (use /8 or longer)`);
  }
  const address = parseIpv4(base);
  const network = hostBits === 32 ? 0 : (address & ~((2 ** hostBits - 1) >>> 0)) >>> 0;
  // As `fping -g`: leave out the network and broadcast addresses, except in /31 and /32.
  return hostBits >= 2
    ? { kind: 'ipv4-range', first: network + 1, count: 2 ** hostBits - 2, network, prefix }
    : { kind: 'ipv4-range', first: network, count: 2 ** hostBits, network, prefix };
}
