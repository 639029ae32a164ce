// Turns target specs (arguments, files, stdin) into a packed TargetList: addresses and ranges are
// added as they stream in, hostnames are resolved together at the end.
import { isIPv4 } from 'node:net';
import { UsageError } from '../cli/usage-error.js';
import { originOf, type SourcedSpec } from './target-input.js';
import { InvalidTargetError, maxRangeAddresses, parseIpv4, parseIpv6, parseTargetSpec } from './target-spec.js';
import { TargetList } from './target-list.js';
import { resolveHostnames, type UnresolvedHost } from './resolve-hostnames.js';

/** Most targets one sweep may hold (64 MiB of IPv4 addresses). */
export const maxSweepTargets = maxRangeAddresses;

export interface BuiltTargets {
  targets: TargetList;
  /** Hostnames that did not resolve (skipped, reported to the user). */
  unresolved: UnresolvedHost[];
}

/**
 * Parses and packs every spec, taken in batches (readTargetSpecs gives a file chunk's lines at a
 * time); a malformed one throws InvalidTargetError naming where it came from.
 */
export async function buildTargetList(
  batches: AsyncIterable<SourcedSpec[]> | Iterable<SourcedSpec[]>,
): Promise<BuiltTargets> {
  const targets = new TargetList();
  const hostnames: string[] = [];
  const tooMany = () =>
    new UsageError(`too many targets: one sweep holds at most ${maxSweepTargets.toLocaleString('en')}; split the list`);
  for await (const batch of batches) {
    for (const sourced of batch) {
      let spec;
      try {
        spec = parseTargetSpec(sourced.text);
      } catch (error) {
        if (error instanceof InvalidTargetError) {
          throw new InvalidTargetError(`${error.message} (${originOf(sourced)})`);
        }
        throw error;
      }
      const adding = spec.kind === 'ipv4-range' || spec.kind === 'ipv6-range' ? spec.count : 1;
      if (targets.size + hostnames.length + adding > maxSweepTargets) throw tooMany();
      switch (spec.kind) {
        case 'ipv4':
          targets.addIpv4(spec.address);
          break;
        case 'ipv6':
          targets.addIpv6(spec.bytes);
          break;
        case 'ipv4-range':
          targets.addIpv4Range(spec.first, spec.count);
          break;
        case 'ipv6-range':
          targets.addIpv6Range(spec.first, spec.count);
          break;
        case 'hostname':
          hostnames.push(spec.name);
          break;
      }
    }
  }
  const { resolved, unresolved } = await resolveHostnames(hostnames);
  for (const host of resolved) {
    try {
      if (isIPv4(host.address)) targets.addIpv4(parseIpv4(host.address));
      else targets.addIpv6(parseIpv6(host.address));
    } catch (error) {
      unresolved.push({ name: host.name, reason: `resolved to ${host.address}: ${(error as Error).message}` });
    }
  }
  return { targets, unresolved };
}
