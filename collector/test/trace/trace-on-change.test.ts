// --trace-on-change end to end: a real `pingsphere collect` sweeps a target and pings an HTTP peer
// across a chain of routers in network namespaces this test builds; mid-run the WAN emulator adds
// delay on one link, the collector's pair watch sees the p50 move, traces the target with the
// engine's runTraces (raw sockets, TTL-scoped probes), and the path lands in the real QuestDB with
// the hop behind the slow link marked. Then the route changes and a scheduled trace stores the new
// hop list with path_change set. Nothing leaves the namespaces: every address is in 198.18.0.0/15
// inside them; QuestDB on the host is reached through a Unix-socket relay.
//
// The bed (emulated: the link delay is the userspace WAN emulator of testbed/, the kernel has no
// netem):
//
//   col 198.18.20.2 ── r1 ──(dly0: emulator link)── r2 198.18.21.2 ── dst 198.18.22.2
//                       └────────────────────────── r3 198.18.23.2 ──┘ (the second route)
//
// r1 sends what arrives from col and from r2 through the emulator's TUN device dly0, and adds one
// to the TTL of what comes back out of it, so the TUN round trip does not count as a hop.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalQuestDb,
  NetworkNamespace,
  removeStaleNamespaces,
  WanEmulator,
  type PortRelay,
} from '@pingsphere/testbed';
import { runThenStop, startCollectorIn, startPacedServer, type PacedServer } from '../helpers/processes.js';

const prefix = 'pstrace';
const run = promisify(execFile);

/** `ip ARGS…` on the host (its -n NAME form reaches into a namespace); fails with ip's message. */
async function ip(args: readonly string[]): Promise<void> {
  await run('ip', [...args]).catch((error: Error & { stderr?: string }) => {
    throw new Error(`ip ${args.join(' ')} failed: ${error.stderr?.trim() ?? error.message}`);
  });
}
const delayedTable = '100';

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

/** The router chain of the file comment; every namespace is removed by dispose(). */
class RouterChain {
  readonly namespaces: NetworkNamespace[] = [];
  emulator: WanEmulator | undefined;
  col!: NetworkNamespace;
  r1!: NetworkNamespace;
  dst!: NetworkNamespace;

  async build(): Promise<void> {
    const make = async (role: string) => {
      const ns = await NetworkNamespace.createOwned(prefix, role);
      this.namespaces.push(ns);
      await sysctl(ns, [
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.default.rp_filter=0',
        // Every probe of a trace gets its answer: no rate limit on time-exceeded messages.
        'net.ipv4.icmp_ratelimit=0',
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
      ]);
      return ns;
    };
    this.col = await make('col');
    this.r1 = await make('r1');
    const r2 = await make('r2');
    const r3 = await make('r3');
    this.dst = await make('dst');
    await link(this.col, 'eth0', '198.18.20.2/24', this.r1, 'a', '198.18.20.1/24');
    await link(this.r1, 'b', '198.18.21.1/24', r2, 'b', '198.18.21.2/24');
    await link(this.r1, 'c', '198.18.23.1/24', r3, 'c', '198.18.23.2/24');
    await link(r2, 'd', '198.18.22.1/24', this.dst, 'eth0', '198.18.22.2/24');
    await link(r3, 'e', '198.18.24.1/24', this.dst, 'eth1', '198.18.24.2/24');
    await ip(['-n', this.col.name, 'route', 'add', 'default', 'via', '198.18.20.1']);
    await ip(['-n', r2.name, 'route', 'add', 'default', 'via', '198.18.21.1']);
    await ip(['-n', r3.name, 'route', 'add', 'default', 'via', '198.18.23.1']);
    await ip(['-n', r3.name, 'route', 'add', '198.18.22.0/24', 'via', '198.18.24.2']);
    await ip(['-n', this.dst.name, 'route', 'add', 'default', 'via', '198.18.22.1']);
    await ip(['-n', this.r1.name, 'route', 'add', '198.18.22.0/24', 'via', '198.18.21.2']);

    this.emulator = await WanEmulator.start(this.r1, ['dly0']);
    await this.emulator.setLink('dly0', { delayUs: 500 });
    await ip(['-n', this.r1.name, 'route', 'add', 'default', 'dev', 'dly0', 'table', delayedTable]);
    for (const from of ['a', 'b']) {
      await ip(['-n', this.r1.name, 'rule', 'add', 'iif', from, 'lookup', delayedTable, 'pref', '100']);
    }
    const ttl = await this.r1.exec('iptables', [
      '-t',
      'mangle',
      '-A',
      'PREROUTING',
      '-i',
      'dly0',
      '-j',
      'TTL',
      '--ttl-inc',
      '1',
    ]);
    if (ttl.exitCode !== 0) throw new Error(`iptables TTL in ${this.r1.name} failed: ${ttl.stderr}`);
  }

  /** Delay of each packet through the emulated link r1 ⇄ r2 (both directions: twice per round trip). */
  async delayLink(ms: number): Promise<void> {
    await this.emulator!.setLink('dly0', { delayUs: ms * 1000 });
  }

  /** Routes col → dst through r3 instead of r2. */
  async reroute(): Promise<void> {
    await ip(['-n', this.r1.name, 'route', 'replace', '198.18.22.0/24', 'via', '198.18.23.2']);
  }

  async dispose(): Promise<void> {
    await this.emulator?.stop().catch(() => undefined);
    for (const ns of this.namespaces.reverse()) await ns.dispose();
  }
}

async function link(
  a: NetworkNamespace,
  aSide: string,
  aAddr: string,
  b: NetworkNamespace,
  bSide: string,
  bAddr: string,
) {
  await ip(['-n', a.name, 'link', 'add', aSide, 'type', 'veth', 'peer', 'name', bSide, 'netns', b.name]);
  await ip(['-n', a.name, 'addr', 'add', aAddr, 'dev', aSide]);
  await ip(['-n', b.name, 'addr', 'add', bAddr, 'dev', bSide]);
  await ip(['-n', a.name, 'link', 'set', aSide, 'up']);
  await ip(['-n', b.name, 'link', 'set', bSide, 'up']);
}

async function sysctl(ns: NetworkNamespace, settings: readonly string[]): Promise<void> {
  const result = await ns.exec('sysctl', ['-q', '-w', ...settings]);
  if (result.exitCode !== 0) throw new Error(`sysctl in ${ns.name} failed: ${result.stderr.trim()}`);
}

describe('pingsphere collect --trace-on-change across a router chain (IPv4)', () => {
  const chain = new RouterChain();
  let questdb: LocalQuestDb;
  let relay: PortRelay;
  let peer: PacedServer;
  let dir: string;

  beforeAll(async () => {
    // Only namespaces of this prefix whose owning test process is gone.
    await removeStaleNamespaces(prefix);
    dir = mkdtempSync(join(tmpdir(), 'pingsphere-trace-on-change-'));
    questdb = await LocalQuestDb.launch();
    await chain.build();
    relay = await chain.col.relayPorts({ fromHost: [{ hostPort: questdb.ports.http }] });
    peer = await startPacedServer({ hosts: ['198.18.22.2'], port: 8080, quiet: true }, chain.dst);
  });

  afterAll(async () => {
    await peer?.stop();
    await relay?.close();
    await chain.dispose();
    await questdb?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (where: string): Promise<PathRow[]> =>
    (await questdb.rows(
      `select ts, dst, dst_ip, hop, addr, rtt_avg, rtt_jump_ms, slow_hop, reached, path_change, reason from path where ${where} order by ts, hop`,
    )) as unknown as PathRow[];

  it(
    'traces the pair whose RTT rose, marks the hop behind the slowed link, then flags the changed route',
    { timeout: 300_000 },
    async () => {
      const targets = join(dir, 'targets.txt');
      writeFileSync(targets, '198.18.22.2 name=far\n');
      const collector = startCollectorIn(chain.col, [
        '-H',
        'col',
        '-d',
        '0.25',
        '-I',
        '198.18.22.2',
        '--icmp-targets',
        targets,
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
        // Only a window that loses everything: one lost probe of four must not trace (and hold off) the pair.
        '--trace-loss',
        '100',
        '--trace-interval',
        '4',
        '--trace-max-hops',
        '6',
        '--trace-timeout',
        '500',
        '--trace-rate',
        '200',
        '--questdb',
        questdb.clientConf,
        '--spool-dir',
        join(dir, 'spool'),
        // The peer by name (its Host header), reached at its address (-I): traced as "far-peer".
        'http://far-peer:8080/v1/ping',
      ]);
      await runThenStop([collector], async () => {
        // A scheduled trace of the undisturbed chain first: r1, r2, dst, nothing slow.
        await collector.waitFor(
          async () => (await rows("reason = 'scheduled' and dst = '198.18.22.2'")).length >= 3,
          60_000,
          'a scheduled trace of the chain in QuestDB',
        );
        const before = await rows("reason = 'scheduled' and dst = '198.18.22.2'");
        expect(before.slice(0, 3).map((r) => [r.hop, r.addr, r.reached])).toEqual([
          [1, '198.18.20.1', false],
          [2, '198.18.21.2', false],
          [3, '198.18.22.2', true],
        ]);
        // Warm-up: five windows of baseline (a second each) before a change counts.
        await collector.waitFor(
          () => /trace: tracing pairs on change/.test(collector.stderr),
          30_000,
          'tracing to start',
        );
        await new Promise((r) => setTimeout(r, 7000));
        const degradedAtMs = Date.now();
        await chain.delayLink(30); // +60 ms per round trip from hop 2 on
        await collector.waitFor(
          async () => (await rows("reason = 'change' and dst = '198.18.22.2'")).length >= 3,
          30_000,
          'a change-triggered trace in QuestDB',
        );
        expect(collector.stderr).toMatch(/trace: 198\.18\.22\.2 \(198\.18\.22\.2\) degraded: RTT p50 \d+\.\d+ ms/);
        const changed = (await rows("reason = 'change' and dst = '198.18.22.2'")).slice(0, 3);
        expect(Date.parse(changed[0]!.ts)).toBeGreaterThanOrEqual(degradedAtMs - 1000);
        expect(changed.map((r) => [r.hop, r.addr, r.slow_hop, r.path_change])).toEqual([
          [1, '198.18.20.1', false, false],
          [2, '198.18.21.2', true, false],
          [3, '198.18.22.2', false, false],
        ]);
        // The hop behind the slowed link carries the added 60 ms (hop 1 is in front of it).
        expect(changed[0]!.rtt_avg!).toBeLessThan(10);
        expect(changed[1]!.rtt_jump_ms!).toBeGreaterThan(50);
        expect(changed[1]!.rtt_jump_ms!).toBeLessThan(200);
        // The HTTP peer's TCP handshakes slowed as much: its pair is traced under its host name.
        await collector.waitFor(
          async () => (await rows("dst = 'far-peer' and reason = 'change'")).length >= 3,
          30_000,
          "the HTTP peer's change trace",
        );
        const http = (await rows("dst = 'far-peer' and reason = 'change'")).slice(0, 3);
        expect(http.map((r) => [r.dst_ip, r.hop, r.slow_hop])).toEqual([
          ['198.18.22.2', 1, false],
          ['198.18.22.2', 2, true],
          ['198.18.22.2', 3, false],
        ]);

        // Another route: the next scheduled trace stores r3 at hop 2, flagged as a path change.
        const reroutedAtMs = Date.now();
        await chain.reroute();
        await collector.waitFor(
          async () =>
            (await rows(`dst = '198.18.22.2' and path_change and ts > '${new Date(reroutedAtMs).toISOString()}'`))
              .length >= 3,
          30_000,
          'a trace of the new route with path_change',
        );
        const moved = await rows(
          `dst = '198.18.22.2' and path_change and ts > '${new Date(reroutedAtMs).toISOString()}'`,
        );
        expect(moved.slice(0, 3).map((r) => [r.hop, r.addr])).toEqual([
          [1, '198.18.20.1'],
          [2, '198.18.23.2'],
          [3, '198.18.22.2'],
        ]);
      });
      expect(collector.stderr).toMatch(
        /trace: 198\.18\.22\.2 \(198\.18\.22\.2, flow 0, change\): 3 hops, reached, latency added at hop 2 \(198\.18\.21\.2/,
      );
    },
  );
});
