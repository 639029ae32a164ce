// Starts tun-responder.c inside a test namespace: compiles it (gcc, into .cache/), creates the
// TUN device, routes 198.18.0.0/16 and 2001:2::/112 to it, and stops it with its counters.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkNamespace } from '@pingsphere/testbed';
import { buildTestTool, startTestTool, stopTestTool, testToolDir, type RunningTool } from './test-tool.js';

/** What a simulated host does with an echo request (see tun-responder.c). */
export type HostBehaviour =
  'reply' | 'drop' | 'forge' | 'forge-seq' | 'forge-time' | 'misdirect' | 'replay' | 'duplicate' | 'forge-then-reply';

/** One simulated host in 198.18.0.0/16 or 2001:2::/112. */
export interface TunHost {
  address: string;
  delayUs: number;
  behaviour: HostBehaviour;
}

/** What the responder saw and did (printed by it when stopped). */
export interface ResponderCounters {
  requests: number;
  replies: number;
  dropped: number;
  forged: number;
  duplicates: number;
  replayed: number;
  unknown: number;
}

/** The TUN device's own addresses: outside the simulated hosts, so the kernel has a source to use. */
export const tunLocalAddress = '198.19.255.254';
export const tunLocalAddress6 = '2001:2:0:ffff::1';

/** Compiles the responder if its binary is missing or older than its source. */
export function buildTunResponder(): string {
  return buildTestTool('tun-responder');
}

/** `n` consecutive addresses from 198.18.0.1 (a.k.a. host offsets 1 … n). */
export function tunAddresses(n: number, firstOffset = 1): string[] {
  return Array.from({ length: n }, (_, i) => {
    const offset = firstOffset + i;
    return `198.18.${offset >>> 8}.${offset & 255}`;
  });
}

/** `n` consecutive IPv6 hosts from 2001:2::1 (host offsets 1 … n, as for tunAddresses). */
export function tunAddresses6(n: number, firstOffset = 1): string[] {
  return Array.from({ length: n }, (_, i) => `2001:2::${(firstOffset + i).toString(16)}`);
}

/** A running responder inside a namespace. */
export class TunResponder {
  private constructor(private readonly tool: RunningTool) {}

  /**
   * Starts the responder with these hosts on `device` and gives the device its own addresses; with
   * `route` (the default) 198.18.0.0/16 and 2001:2::/112 go through it.
   */
  static async start(
    ns: NetworkNamespace,
    hosts: readonly TunHost[],
    device = 'pstun0',
    options: { route?: boolean; localAddress?: string; localAddress6?: string } = {},
  ): Promise<TunResponder> {
    buildTunResponder(); // also makes testToolDir
    const table = join(testToolDir, `hosts-${process.pid}-${Date.now()}-${device}.txt`);
    writeFileSync(table, hosts.map((h) => `${h.address} ${Math.round(h.delayUs)} ${h.behaviour}\n`).join(''));
    const tool = await startTestTool(ns, 'tun-responder', [device, table]);
    // A TUN device queues 500 packets by default: an unlimited sweep of thousands overflows it
    // whenever the responder process is descheduled, and those drops are the bed's, not the
    // engine's (seen as "lost" probes under load). 20,000 holds any burst the tests send.
    const steps = [
      ['link', 'set', device, 'txqueuelen', '20000', 'up'],
      ['addr', 'add', `${options.localAddress ?? tunLocalAddress}/32`, 'dev', device],
      ['-6', 'addr', 'add', `${options.localAddress6 ?? tunLocalAddress6}/128`, 'dev', device, 'nodad'],
      ...(options.route === false
        ? []
        : [
            ['route', 'add', '198.18.0.0/16', 'dev', device],
            ['-6', 'route', 'add', '2001:2::/112', 'dev', device],
          ]),
    ];
    const responder = new TunResponder(tool);
    for (const args of steps) {
      const result = await ns.exec('ip', args);
      if (result.exitCode !== 0) {
        await responder.stop();
        throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`);
      }
    }
    return responder;
  }

  /** Stops the responder and returns its counters. */
  async stop(): Promise<ResponderCounters> {
    return (await stopTestTool(this.tool)) as unknown as ResponderCounters;
  }
}
