// --trace-on-change end to end, IPv4 and IPv6: a real `pingsphere collect` sweeps one target of
// each family and pings an HTTP peer across the trace room's router chain (testbed RouterChain:
// r1 … r6, r2 delays its link toward r3 through the demo's userspace WAN emulator — emulated, the
// kernel has no netem — ECMP at r3, r5 silent). Mid-run the emulator's delay on that one link
// goes up; the collector's pair watch sees the p50 move, traces the targets with the engine's
// runTraces (raw sockets, TTL-scoped probes) and the paths land in the real QuestDB with the hop
// behind the slowed link (r3, hop 3) marked. r3 is pinned to one ECMP branch for the targets
// (the engine keys each run's ICMP ids afresh, so an unpinned flow may take either branch from one
// run to the next); then r3 moves them to the other branch and the next scheduled trace stores the
// new hop list with path_change set. Nothing leaves the namespaces:
// the chain's addresses are 198.18.0.0/15 and fd00::/8 inside them; QuestDB on the host is reached
// through a Unix-socket relay.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHops, LocalQuestDb, RouterChain, type NetworkNamespace, type PortRelay } from '@pingsphere/testbed';
import { runThenStop, startCollectorIn, startPacedServer, type PacedServer } from '../helpers/processes.js';

interface PathRow {
  ts: string;
  dst: string;
  dst_ip: string;
  hop: number;
  addr: string | null;
  rtt_avg: number | null;
  rtt_jump_ms: number | null;
  slow_hop: boolean;
  reached: boolean;
  path_change: boolean;
  reason: string;
}

/** One-way delay on r2 → r3 before and after the degradation (a round trip crosses it twice). */
const baseDelayMs = 1;
const degradedDelayMs = 30;
const hopsToTarget = chainHops.dest;

describe('pingsphere collect --trace-on-change over the router chain (IPv4 and IPv6)', () => {
  let chain: RouterChain;
  let questdb: LocalQuestDb;
  let relay: PortRelay;
  let peer: PacedServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingsphere-trace-on-change-'));
    questdb = await LocalQuestDb.launch();
    chain = await RouterChain.create({ prefix: 'pspath', targets: 1, delayMs: baseDelayMs });
    relay = await chain.tracer.relayPorts({ fromHost: [{ hostPort: questdb.ports.http }] });
    await pinBranch('a');
    // The HTTP peer listens on the IPv4 target's address (dest answers for its whole range).
    const dest = chain.namespaces().find((ns) => ns.name.endsWith('-dest')) as NetworkNamespace;
    peer = await startPacedServer({ hosts: [chain.targetsV4[0]!], port: 8080, quiet: true }, dest);
  });

  afterAll(async () => {
    await peer?.stop();
    await relay?.close();
    await chain?.dispose();
    await questdb?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sends every probe toward the targets through r4a or r4b (r3's ECMP tables 201 and 202). */
  const pinBranch = async (branch: 'a' | 'b') => {
    for (const [family, to] of [
      ['4', '198.19.0.0/16'],
      ['6', 'fd00:5055::/64'],
    ] as const) {
      const r3 = chain.router('r3');
      await r3.exec('ip', [`-${family}`, 'rule', 'del', 'pref', '10']);
      const table = branch === 'a' ? '201' : '202';
      const added = await r3.exec('ip', [`-${family}`, 'rule', 'add', 'pref', '10', 'to', to, 'lookup', table]);
      expect(added.exitCode, added.stderr).toBe(0);
    }
  };

  const rows = async (where: string): Promise<PathRow[]> =>
    (await questdb.rows(
      `select ts, dst, dst_ip, hop, addr, rtt_avg, rtt_jump_ms, slow_hop, reached, path_change, reason from path where ${where} order by ts, hop`,
    )) as unknown as PathRow[];
  /** The first trace's hops among `where`'s rows, once it has all of them. */
  const firstTrace = async (where: string): Promise<PathRow[]> => {
    const all = await rows(where);
    const first = all.filter((r) => r.ts === all[0]?.ts);
    return first.length === hopsToTarget ? first : [];
  };
  /** The hop list the chain gives on ECMP branch `branch`: r5 silent, the target last. */
  const expectedPath = (family: 4 | 6, branch: 'a' | 'b', target: string) => {
    const hops: (string | null)[] = [...RouterChain.expectedHops(family, branch), target];
    hops[chainHops.r5 - 1] = null;
    return hops;
  };

  it(
    'traces the pairs whose RTT rose, marks the hop behind the slowed link, then flags the changed route',
    { timeout: 300_000 },
    async () => {
      const targets = { 4: chain.targetsV4[0]!, 6: chain.targetsV6[0]! };
      const targetsFile = join(dir, 'targets.txt');
      writeFileSync(targetsFile, `${targets[4]} name=far4\n${targets[6]} name=far6\n`);
      const collector = startCollectorIn(chain.tracer, [
        '-H',
        'tracer',
        '-d',
        '0.25',
        '-I',
        targets[4],
        '--icmp-targets',
        targetsFile,
        '--icmp-interval',
        '0.25',
        '--trace-on-change',
        '--trace-window',
        '1',
        '--trace-baseline',
        '10',
        '--trace-rtt-change',
        '50',
        '--trace-rtt-change-ms',
        '10',
        // HTTP connect times are timed in user space: on a loaded 2-core machine a 1-s window's p50
        // can jump by tens of ms without the network (event-loop stalls), and a trace then holds
        // the pair off. A short holdoff lets the degradation be traced after such a false start.
        '--trace-holdoff',
        '3',
        // Only a window that loses everything: one lost probe of four must not trace (and hold off) a pair.
        '--trace-loss',
        '100',
        '--trace-interval',
        '4',
        '--trace-max-hops',
        '10',
        '--trace-timeout',
        '500',
        '--trace-rate',
        '500',
        '--questdb',
        questdb.clientConf,
        '--spool-dir',
        join(dir, 'spool'),
        // The peer by name (its Host header), reached at the IPv4 target's address (-I): traced as "far-peer".
        'http://far-peer:8080/v1/ping',
      ]);
      await runThenStop([collector], async () => {
        // Scheduled traces of the undisturbed chain first, for each family: the pinned branch, the
        // target reached, and the same hop list each time (no path change).
        for (const family of [4, 6] as const) {
          const where = `reason = 'scheduled' and dst = '${targets[family]}'`;
          await collector.waitFor(
            async () => (await firstTrace(where)).length > 0,
            60_000,
            `a scheduled IPv${family} trace`,
          );
          const before = await firstTrace(where);
          expect(before.map((r) => r.addr)).toEqual(expectedPath(family, 'a', targets[family]));
          expect(before.at(-1)!.reached).toBe(true);
        }
        // Five windows of baseline (a second each) before a change counts.
        await new Promise((r) => setTimeout(r, 8000));
        const degradedAtMs = Date.now();
        await chain.setDelayMs(degradedDelayMs);
        for (const [family, dst] of [
          [4, targets[4]],
          [6, targets[6]],
          [4, 'far-peer'],
        ] as const) {
          const where = `reason = 'change' and dst = '${dst}' and ts >= '${new Date(degradedAtMs).toISOString()}'`;
          await collector.waitFor(
            async () => (await firstTrace(where)).length > 0,
            30_000,
            `a change-triggered trace of ${dst}`,
          );
          const changed = await firstTrace(where);
          const traceLog = collector.stderr
            .split('\n')
            .filter((l) => l.includes('trace:'))
            .join('\n');
          // ICMP RTTs are kernel-stamped: nothing moved them before the degradation.
          if (dst !== 'far-peer') {
            const early = await rows(
              `reason = 'change' and dst = '${dst}' and ts < '${new Date(degradedAtMs).toISOString()}'`,
            );
            expect(early, traceLog).toEqual([]);
          }
          expect(changed[0]!.dst_ip).toBe(targets[family]);
          expect(changed.map((r) => r.addr)).toEqual(expectedPath(family, 'a', targets[family]));
          // The hop behind the slowed link, r3, is marked, and carries the added 2 × 29 ms.
          expect(changed.map((r) => r.slow_hop)).toEqual(changed.map((r) => r.hop === chainHops.r3));
          expect(changed.every((r) => !r.path_change)).toBe(true);
          const jump = changed[chainHops.r3 - 1]!.rtt_jump_ms!;
          expect(jump).toBeGreaterThan(2 * (degradedDelayMs - baseDelayMs) * 0.8);
          expect(jump).toBeLessThan(2 * degradedDelayMs + 100);
          expect(changed[chainHops.r2 - 1]!.rtt_avg!).toBeLessThan(2 * degradedDelayMs * 0.8);
        }
        expect(collector.stderr).toMatch(
          new RegExp(
            `trace: ${targets[4].replaceAll('.', '\\.')} \\(${targets[4].replaceAll('.', '\\.')}\\) degraded: RTT p50 \\d+\\.\\d+ ms`,
          ),
        );

        // No trace so far saw another path.
        expect(await rows('path_change')).toEqual([]);

        // r3 sends the targets the other ECMP way: the next scheduled traces store the new hop 4
        // with path_change set.
        const reroutedAtMs = Date.now();
        await pinBranch('b');
        for (const family of [4, 6] as const) {
          const where = `dst = '${targets[family]}' and path_change and ts > '${new Date(reroutedAtMs).toISOString()}'`;
          await collector.waitFor(
            async () => (await firstTrace(where)).length > 0,
            30_000,
            `an IPv${family} trace of the new route with path_change`,
          );
          const moved = await firstTrace(where);
          expect(moved.map((r) => r.addr)).toEqual(expectedPath(family, 'b', targets[family]));
        }
      });
      const r3 = RouterChain.expectedHops(4, 'a')[chainHops.r3 - 1]!.replaceAll('.', '\\.');
      expect(collector.stderr).toMatch(
        new RegExp(
          `, change\\): ${hopsToTarget} hops, reached, latency added at hop ${chainHops.r3} \\(${r3}, \\+\\d+`,
        ),
      );
    },
  );
});
