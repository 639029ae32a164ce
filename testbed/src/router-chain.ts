// A chain of router namespaces for path tracing (#14), built and removed by the test itself:
//
//   tracer ─ r1 ─ r2 ─ r3 ─┬─ r4a ─┬─ r5 ─ r6 ─ dest
//                 (delay)  └─ r4b ─┘ (silent)
//
// - every router forwards IPv4 and IPv6 with the kernel's ICMP rate limits off (so each probe
//   gets its answer and a 1,000-target trace is not throttled), except r5, which drops the
//   time-exceeded messages it would send: a silent hop;
// - r2 sends everything it forwards through the demo's userspace WAN emulator (this kernel has no
//   netem): a TUN device whose process holds each packet for the link delay, both directions, so
//   hops 3 onward show 2 × delay more RTT than hop 2. The packet comes back into r2 from the TUN
//   and is forwarded again; a mangle rule gives back the TTL that second pass takes (iptables
//   TTL / ip6tables HL target), so the emulator is a delay on a link, not an extra hop;
// - r3 reaches r5 over two parallel one-router paths (r4a, r4b) with an ECMP route. Linux hashes
//   a forwarded ICMP echo on its addresses only (policy 0, and policy 1 has no ICMP id either:
//   see README), so every flow of a target would take the same path. The bed hashes on what a
//   flow-aware router hashes and a Paris-style trace keeps constant, the ICMP id: r3 marks
//   probes by the id's low bit (iptables u32) and policy routing picks r4a or r4b by the mark.
//   Two flows with neighbouring ids therefore take both paths.
// - dest answers echo requests for a whole range (a local route, like 127/8): 198.19.0.0/16 and
//   fd00:5055::/64, so a trace of 1,000 targets needs 1,000 addresses, not 1,000 namespaces.
//
// Addresses: link L (numbered below) is 198.18.L.0/24 and fd00:5054:L::/64, its left end .1/::1
// and its right end .2/::2. A router answers a trace from its address on the link toward the
// tracer (the source of its route back), so hop addresses are predictable: `expectedHops`.
// Namespaces are named by createOwned (prefix-pid-starttime-role), so a chain left behind by a
// killed run is removed by the next one (removeStaleNamespaces) and never one still in use.
import { ip, NetworkNamespace, removeStaleNamespaces } from './netns.js';
import { WanEmulator } from './wan/wan-emulator.js';

type Node = 'tracer' | 'r1' | 'r2' | 'r3' | 'r4a' | 'r4b' | 'r5' | 'r6' | 'dest';
const routers: Node[] = ['r1', 'r2', 'r3', 'r4a', 'r4b', 'r5', 'r6'];
const stages: Node[][] = [['tracer'], ['r1'], ['r2'], ['r3'], ['r4a', 'r4b'], ['r5'], ['r6'], ['dest']];

interface Link {
  id: number;
  left: Node;
  right: Node;
}
const links: Link[] = [
  { id: 100, left: 'tracer', right: 'r1' },
  { id: 101, left: 'r1', right: 'r2' },
  { id: 102, left: 'r2', right: 'r3' },
  { id: 103, left: 'r3', right: 'r4a' },
  { id: 104, left: 'r3', right: 'r4b' },
  { id: 105, left: 'r4a', right: 'r5' },
  { id: 106, left: 'r4b', right: 'r5' },
  { id: 107, left: 'r5', right: 'r6' },
  { id: 108, left: 'r6', right: 'dest' },
];

const stageOf = (node: Node) => stages.findIndex((stage) => stage.includes(node));
const v4 = (link: Link, end: 'left' | 'right') => `198.18.${link.id}.${end === 'left' ? 1 : 2}`;
const v6 = (link: Link, end: 'left' | 'right') => `fd00:5054:${link.id}::${end === 'left' ? 1 : 2}`;
const linkOf = (left: Node, right: Node) => links.find((l) => l.left === left && l.right === right)!;

/** The WAN emulator's TUN device in r2. */
const delayDevice = 'wan0';
const throughDelayTable = '100';

/** r1's device toward the tracer: where an on-path forger listens. */
export const firstHopDevice = 'l100';

/** The hop of each router, counted from the tracer (dest, the targets, is hop 7). */
export const chainHops = { r1: 1, r2: 2, r3: 3, r4: 4, r5: 5, r6: 6, dest: 7 } as const;

export interface RouterChainOptions {
  /** Namespace prefix (a-z0-9); stale chains of dead owners with it are removed first. */
  prefix?: string;
  /** Target addresses dest answers for, per family (default 1, at most 65,000). */
  targets?: number;
  /** One-way delay r2 adds to the link toward r3, both directions (default 0). */
  delayMs?: number;
  /**
   * 'icmp-id' (default): r3 picks the ECMP branch by the probe's ICMP id. 'kernel': r3 leaves it
   * to the kernel's own multipath hash with fib_multipath_hash_policy=1 (L4), to see what it does.
   */
  ecmpHash?: 'icmp-id' | 'kernel';
}

let instances = 0;

export class RouterChain {
  private constructor(
    private readonly nodes: Map<Node, NetworkNamespace>,
    private readonly emulator: WanEmulator,
    /** Target addresses (in dest's ranges), IPv4 and IPv6. */
    readonly targetsV4: string[],
    readonly targetsV6: string[],
  ) {}

  /** The namespace probes are sent from (its only way out is r1). */
  get tracer(): NetworkNamespace {
    return this.nodes.get('tracer')!;
  }

  namespaces(): NetworkNamespace[] {
    return [...this.nodes.values()];
  }

  /**
   * The address each hop answers from, per ECMP branch: `a` through r4a, `b` through r4b. r5
   * (hop 5) is silent; the last hop is the target itself.
   */
  static expectedHops(family: 4 | 6, branch: 'a' | 'b'): string[] {
    const address = family === 4 ? v4 : v6;
    const path: Node[] = ['r1', 'r2', 'r3', branch === 'a' ? 'r4a' : 'r4b', 'r5', 'r6'];
    let previous: Node = 'tracer';
    return path.map((node) => {
      const hop = address(linkOf(previous, node), 'right');
      previous = node;
      return hop;
    });
  }

  static async create(options: RouterChainOptions = {}): Promise<RouterChain> {
    const prefix = options.prefix ?? 'pstrace';
    const targets = options.targets ?? 1;
    if (!Number.isInteger(targets) || targets < 1 || targets > 65_000) {
      throw new Error(`a RouterChain answers for 1 to 65000 targets per family, not ${targets}`);
    }
    await removeStaleNamespaces(prefix);
    const instance = `${instances++}`;
    const nodes = new Map<Node, NetworkNamespace>();
    let emulator: WanEmulator | undefined;
    try {
      for (const stage of stages) {
        for (const node of stage) nodes.set(node, await NetworkNamespace.createOwned(prefix, `${instance}-${node}`));
      }
      const ns = (node: Node) => nodes.get(node)!;
      const exec = async (node: Node, command: string, args: string[]) => {
        const result = await ns(node).exec(command, args, { timeoutMs: 20_000 });
        if (result.exitCode !== 0) {
          throw new Error(`\`${command} ${args.join(' ')}\` in ${node} failed: ${result.stderr.trim()}`);
        }
      };
      for (const node of nodes.keys()) {
        const forwarding = routers.includes(node) ? '1' : '0';
        await exec(node, 'sysctl', [
          '-q',
          '-w',
          `net.ipv4.ip_forward=${forwarding}`,
          `net.ipv6.conf.all.forwarding=${forwarding}`,
          'net.ipv4.conf.all.rp_filter=0',
          'net.ipv4.conf.default.rp_filter=0',
          'net.ipv4.conf.all.send_redirects=0',
          'net.ipv4.conf.default.send_redirects=0',
          'net.ipv6.conf.all.accept_dad=0',
          'net.ipv6.conf.default.accept_dad=0',
          'net.ipv6.conf.default.accept_ra=0',
          // Every probe gets its answer: no per-destination or global ICMP error rate limit.
          'net.ipv4.icmp_ratelimit=0',
          'net.ipv4.icmp_msgs_per_sec=1000000',
          'net.ipv4.icmp_msgs_burst=1000000',
          'net.ipv6.icmp.ratelimit=0',
        ]);
      }
      for (const link of links) {
        const name = `l${link.id}`;
        await ip([
          '-n',
          ns(link.left).name,
          'link',
          'add',
          name,
          'type',
          'veth',
          'peer',
          'name',
          name,
          'netns',
          ns(link.right).name,
        ]);
        for (const end of ['left', 'right'] as const) {
          const node = ns(link[end]).name;
          await ip(['-n', node, 'addr', 'add', `${v4(link, end)}/24`, 'dev', name]);
          await ip(['-n', node, '-6', 'addr', 'add', `${v6(link, end)}/64`, 'dev', name, 'nodad']);
          await ip(['-n', node, 'link', 'set', name, 'up']);
        }
      }
      await RouterChain.route(nodes);
      await ip(['-n', ns('dest').name, 'route', 'add', 'local', '198.19.0.0/16', 'dev', 'lo']);
      await ip(['-n', ns('dest').name, '-6', 'route', 'add', 'local', 'fd00:5055::/64', 'dev', 'lo']);

      if ((options.ecmpHash ?? 'icmp-id') === 'kernel') {
        await exec('r3', 'sysctl', [
          '-q',
          '-w',
          'net.ipv4.fib_multipath_hash_policy=1',
          'net.ipv6.fib_multipath_hash_policy=1',
        ]);
      } else {
        // r3: the ECMP branch by the probe's ICMP id (low bit), for probes coming from the tracer.
        for (const [family, table, branch] of [
          ['4', '201', 'r4a'],
          ['4', '202', 'r4b'],
          ['6', '201', 'r4a'],
          ['6', '202', 'r4b'],
        ] as const) {
          const link = linkOf('r3', branch);
          const via = family === '4' ? v4(link, 'right') : v6(link, 'right');
          await ip(['-n', ns('r3').name, `-${family}`, 'route', 'add', 'default', 'via', via, 'table', table]);
          await ip(['-n', ns('r3').name, `-${family}`, 'rule', 'add', 'fwmark', table, 'lookup', table, 'pref', '50']);
        }
        const fromTracer = `l${linkOf('r2', 'r3').id}`;
        for (const [bit, mark] of [
          ['0', '201'],
          ['1', '202'],
        ] as const) {
          // IPv4: the ICMP header follows an IP header of IHL words; its id is bytes 4-5. IPv6:
          // probes carry no extension headers, so the ICMPv6 id is at bytes 44-45.
          await exec('r3', 'iptables', [
            '-t',
            'mangle',
            '-A',
            'PREROUTING',
            '-i',
            fromTracer,
            '-p',
            'icmp',
            '-m',
            'u32',
            '--u32',
            `0>>22&0x3C@4>>16&0x1=${bit}`,
            '-j',
            'MARK',
            '--set-mark',
            mark,
          ]);
          await exec('r3', 'ip6tables', [
            '-t',
            'mangle',
            '-A',
            'PREROUTING',
            '-i',
            fromTracer,
            '-p',
            'icmpv6',
            '-m',
            'u32',
            '--u32',
            `44>>16&0x1=${bit}`,
            '-j',
            'MARK',
            '--set-mark',
            mark,
          ]);
        }
      }

      // r5: silent (drops the time-exceeded messages it would send; still forwards).
      await exec('r5', 'iptables', ['-A', 'OUTPUT', '-p', 'icmp', '--icmp-type', 'time-exceeded', '-j', 'DROP']);
      await exec('r5', 'ip6tables', ['-A', 'OUTPUT', '-p', 'icmpv6', '--icmpv6-type', 'time-exceeded', '-j', 'DROP']);

      // r2: what it forwards crosses the WAN emulator's TUN device (both directions).
      emulator = await WanEmulator.start(ns('r2'), [delayDevice]);
      for (const family of ['-4', '-6']) {
        await ip([
          '-n',
          ns('r2').name,
          family,
          'route',
          'add',
          'default',
          'dev',
          delayDevice,
          'table',
          throughDelayTable,
        ]);
        for (const link of [linkOf('r1', 'r2'), linkOf('r2', 'r3')]) {
          await ip([
            '-n',
            ns('r2').name,
            family,
            'rule',
            'add',
            'iif',
            `l${link.id}`,
            'lookup',
            throughDelayTable,
            'pref',
            '100',
          ]);
        }
      }
      await exec('r2', 'iptables', [
        '-t',
        'mangle',
        '-A',
        'PREROUTING',
        '-i',
        delayDevice,
        '-j',
        'TTL',
        '--ttl-inc',
        '1',
      ]);
      await exec('r2', 'ip6tables', [
        '-t',
        'mangle',
        '-A',
        'PREROUTING',
        '-i',
        delayDevice,
        '-j',
        'HL',
        '--hl-inc',
        '1',
      ]);
      const chain = new RouterChain(
        nodes,
        emulator,
        Array.from({ length: targets }, (_, i) => `198.19.${(i + 1) >> 8}.${(i + 1) & 255}`),
        Array.from({ length: targets }, (_, i) => `fd00:5055::${(i + 1).toString(16)}`),
      );
      await chain.setDelayMs(options.delayMs ?? 0);
      return chain;
    } catch (error) {
      await emulator?.stop().catch(() => undefined);
      for (const ns of nodes.values()) await ns.dispose();
      throw error;
    }
  }

  /** Static routes: toward the tracer's side via the left neighbours, everything else to the right. */
  private static async route(nodes: Map<Node, NetworkNamespace>): Promise<void> {
    for (const [node, ns] of nodes) {
      const stage = stageOf(node);
      const neighbours = (side: 'left' | 'right') =>
        links.filter((l) => l[side === 'left' ? 'right' : 'left'] === node).map((l) => ({ link: l, end: side }));
      const nexthops = (side: 'left' | 'right', family: 4 | 6) =>
        neighbours(side).map(({ link }) => (family === 4 ? v4 : v6)(link, side));
      for (const family of [4, 6] as const) {
        const route = async (prefix: string, via: string[]) => {
          if (via.length === 1) {
            await ip(['-n', ns.name, `-${family}`, 'route', 'add', prefix, 'via', via[0]!]);
          } else if (via.length > 1) {
            await ip([
              '-n',
              ns.name,
              `-${family}`,
              'route',
              'add',
              prefix,
              ...via.flatMap((hop) => ['nexthop', 'via', hop]),
            ]);
          }
        };
        await route('default', nexthops('right', family));
        for (const link of links) {
          const connected = link.left === node || link.right === node;
          if (connected || stageOf(link.right) > stage) continue;
          await route(family === 4 ? `198.18.${link.id}.0/24` : `fd00:5054:${link.id}::/64`, nexthops('left', family));
        }
      }
    }
  }

  /** A router's namespace (for a forger or a capture on one of its links). */
  router(name: 'r1' | 'r2' | 'r3' | 'r4a' | 'r4b' | 'r5' | 'r6'): NetworkNamespace {
    return this.nodes.get(name)!;
  }

  /** Changes r2's one-way delay toward r3 (both directions) at once: a degradation mid-run. */
  async setDelayMs(ms: number): Promise<void> {
    await this.emulator.setLink(delayDevice, { delayUs: ms * 1000 });
  }

  /** Stops the emulator and removes every namespace of the chain. */
  async dispose(): Promise<void> {
    await this.emulator.stop().catch(() => undefined);
    for (const ns of this.nodes.values()) await ns.dispose();
  }
}
