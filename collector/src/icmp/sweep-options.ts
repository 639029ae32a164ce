// Sweep options with their defaults (fping's where it has one) and the checks that turn bad
// values into messages a user can act on.
import { isIPv4, isIPv6 } from 'node:net';
import type { SocketMode, TimestampMode } from '@pingsphere/native';
import { UsageError } from '../cli/usage-error.js';

export interface SweepOptions {
  /** Probes per target. */
  count: number;
  /** Time between successive probes to one target. */
  periodMs: number;
  /** A reply later than this counts as lost. */
  timeoutMs: number;
  /** Global send rate; 'unlimited' only when the user asked for it explicitly. */
  ratePps: number | 'unlimited';
  /** ICMP data bytes after the header. */
  payloadBytes: number;
  /** IPv4 TTL / IPv6 hop limit; undefined keeps the system default. */
  ttl?: number;
  /** Source address to send from (IPv4 or IPv6). */
  sourceAddress?: string;
  /** Interface to send through (SO_BINDTODEVICE). */
  interfaceName?: string;
  socketMode: SocketMode | 'auto';
  /** Sender threads (each with its own sockets); 'auto' (or absent) picks from the CPUs and the rate. */
  senders?: number | 'auto';
  /** Where RTTs are timed; 'auto' (default) = hardware where the -I NIC stamps, else kernel software stamps. */
  timestamps?: TimestampMode | 'auto';
  /** Fixed flows (ICMP id + checksum) per target, its probes spread over them in turn; default 1. */
  flows?: number;
  /** Flow of each target's first probe: a collector moves it on each sweep so single probes cover every flow. */
  firstFlow?: number;
  /** Name of this collector, copied into each IcmpResult.src. */
  src: string;
  /** Location of this collector, copied into each IcmpResult.srcLoc. */
  srcLoc: string;
}

/** 10 k probes/s is gentle on the public internet and on the sweeping host's own uplink. */
export const defaultRatePps = 10_000;
/** Probe id, seq, send time and cookie need this many payload bytes. */
export const minPayloadBytes = 24;
export const maxPayloadBytes = 65_000;
/** More sender threads than this never helps: each needs a core of its own. */
export const maxSenders = 64;
/** The engine keeps at most this many flows per target (one socket per flow in ping mode). */
export const maxFlows = 64;

export const defaultSweepOptions: SweepOptions = {
  count: 1,
  periodMs: 1000,
  timeoutMs: 500,
  ratePps: defaultRatePps,
  payloadBytes: 56,
  socketMode: 'auto',
  senders: 'auto',
  timestamps: 'auto',
  flows: 1,
  src: '',
  srcLoc: '',
};

/** Throws UsageError (with the flag name) for any option the engine would refuse. */
export function validateSweepOptions(options: SweepOptions): void {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new UsageError(message);
  };
  check(
    Number.isInteger(options.count) && options.count >= 1 && options.count <= 1_000_000,
    `-c/--count must be a whole number from 1 to 1000000, got ${options.count}`,
  );
  check(
    Number.isFinite(options.periodMs) && options.periodMs >= 0 && options.periodMs <= 3_600_000,
    `-p/--period must be 0 to 3600000 ms, got ${options.periodMs}`,
  );
  check(
    Number.isFinite(options.timeoutMs) && options.timeoutMs >= 1 && options.timeoutMs <= 600_000,
    `-t/--timeout must be 1 to 600000 ms, got ${options.timeoutMs}`,
  );
  if (options.ratePps !== 'unlimited') {
    check(
      Number.isFinite(options.ratePps) && options.ratePps > 0,
      `--rate must be a number of probes per second above 0, got ${options.ratePps}; for no limit say --unlimited-rate`,
    );
  }
  check(
    Number.isInteger(options.payloadBytes) &&
      options.payloadBytes >= minPayloadBytes &&
      options.payloadBytes <= maxPayloadBytes,
    `-b/--size must be ${minPayloadBytes} to ${maxPayloadBytes} bytes (the payload carries the probe id, seq, send time and cookie), got ${options.payloadBytes}`,
  );
  if (options.ttl !== undefined) {
    check(
      Number.isInteger(options.ttl) && options.ttl >= 1 && options.ttl <= 255,
      `--ttl must be a whole number from 1 to 255, got ${options.ttl}`,
    );
  }
  if (options.sourceAddress !== undefined) {
    check(
      isIPv4(options.sourceAddress) || isIPv6(options.sourceAddress),
      `-S/--src must be an IPv4 or IPv6 address assigned to this host, got "${options.sourceAddress}"`,
    );
  }
  if (options.interfaceName !== undefined) {
    check(
      /^[^\s/]{1,15}$/.test(options.interfaceName),
      `-I/--iface must be an interface name (see \`ip link\`), got "${options.interfaceName}"`,
    );
  }
  if (options.senders !== undefined && options.senders !== 'auto') {
    check(
      Number.isInteger(options.senders) && options.senders >= 1 && options.senders <= maxSenders,
      `--senders must be auto or a whole number from 1 to ${maxSenders}, got ${options.senders}`,
    );
  }
  check(
    ['auto', 'raw', 'ping'].includes(options.socketMode),
    `--socket must be auto, raw or ping, got "${options.socketMode}"`,
  );
  if (options.timestamps !== undefined) {
    check(
      ['auto', 'hardware', 'software', 'user'].includes(options.timestamps),
      `--timestamps must be auto, hardware, software or user, got "${options.timestamps}"`,
    );
    check(
      options.timestamps !== 'hardware' || options.interfaceName !== undefined,
      '--timestamps hardware needs the interface whose NIC stamps the probes: add -I IFACE',
    );
  }
  if (options.flows !== undefined) {
    check(
      Number.isInteger(options.flows) && options.flows >= 1 && options.flows <= maxFlows,
      `--flows must be a whole number from 1 to ${maxFlows}, got ${options.flows}`,
    );
  }
}
