// Allowed networks for targets taken from another collector (--targets-allow): an address must lie
// in one of them, a range must lie wholly inside one.
import ipaddr from 'ipaddr.js';
import { formatIpv4, formatIpv6 } from '../icmp/target-list.js';
import type { TargetSpec } from '../icmp/target-spec.js';

type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A list of allowed networks (CIDRs already checked by the config). */
export class CidrFence {
  private readonly networks: Network[];

  constructor(readonly cidrs: readonly string[]) {
    this.networks = cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** Whether an address (text form) is inside an allowed network. */
  allowsAddress(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    return this.networks.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits));
  }

  /** Whether everything a target spec probes is inside (hostnames are checked once resolved: true). */
  allowsSpec(spec: TargetSpec): boolean {
    switch (spec.kind) {
      case 'ipv4':
        return this.allowsAddress(formatIpv4(spec.address));
      case 'ipv6':
        return this.allowsAddress(formatIpv6(spec.bytes));
      case 'ipv4-range':
        return this.allowsRange(formatIpv4(spec.network), spec.prefix);
      case 'ipv6-range':
        return this.allowsRange(formatIpv6(spec.first), spec.prefix);
      case 'hostname':
        return true;
    }
  }

  private allowsRange(network: string, prefix: number): boolean {
    const parsed = ipaddr.parse(network);
    return this.networks.some(
      ([allowed, bits]) => allowed.kind() === parsed.kind() && prefix >= bits && parsed.match(allowed, bits),
    );
  }
}
