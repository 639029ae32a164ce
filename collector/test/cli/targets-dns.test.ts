// Hostname targets against a real DNS server: Debian's dnsmasq, run inside the test's network
// namespace on 127.0.0.1:53 (the namespace's resolv.conf, /etc/netns/NAME/resolv.conf, points
// there), answering from a hosts file the test edits, with a TTL of its choosing. The collector
// looks a name up again only when its TTL has run out, follows a changed answer at the next sweep,
// probes A and AAAA as two targets with --dual-stack, reports a failed lookup and retries it,
// fences the addresses of --targets-from hostnames, and neither plans nor stops waiting on a DNS
// server that never answers (names under .slow are forwarded to a UDP socket that reads and drops).
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkNamespace } from '@pingsphere/testbed';
import { ndjson, RecordedProcess, startCollectorIn } from '../helpers/processes.js';

const ttlSeconds = 3;

/** resolv.conf folders an earlier, killed run of this test left: named after our namespaces, their pid gone. */
function removeStaleResolvConfs(): void {
  let names: string[] = [];
  try {
    names = readdirSync('/etc/netns');
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^pingsphere-(\d+)-[0-9a-f]{6}$/.exec(name)?.[1];
    if (!pid || existsSync(`/proc/${pid}`) || existsSync(`/run/netns/${name}`)) continue;
    rmSync(join('/etc/netns', name), { recursive: true, force: true });
  }
}

interface Probe {
  target: string;
  ts: string;
}

describe('hostname targets with a DNS server in the namespace', () => {
  let ns: NetworkNamespace;
  let dir: string;
  let hosts: string;
  let queryLog: string;
  let dns: RecordedProcess;
  let silentServer: RecordedProcess;
  let netnsDir: string;
  const running: RecordedProcess[] = [];

  beforeAll(async () => {
    removeStaleResolvConfs();
    ns = await NetworkNamespace.create();
    dir = mkdtempSync(join(tmpdir(), 'pingsphere-targets-dns-'));
    hosts = join(dir, 'hosts');
    queryLog = join(dir, 'queries.log');
    writeFileSync(
      hosts,
      '127.0.0.5 web.test\n127.0.0.7 near.test\n127.0.1.5 far.test\n::1 both.test\n127.0.0.8 both.test\n',
    );
    // `ip netns exec` mounts this over /etc/resolv.conf for every process started in the namespace.
    netnsDir = join('/etc/netns', ns.name);
    mkdirSync(netnsDir, { recursive: true });
    writeFileSync(join(netnsDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    // A DNS server that takes every query and answers none (dnsmasq forwards .slow names to it).
    silentServer = new RecordedProcess('ip', [
      'netns',
      'exec',
      ns.name,
      process.execPath,
      '-e',
      "require('node:dgram').createSocket('udp4').on('listening', () => console.log('silent')).bind(5353, '127.0.0.2')",
    ]);
    await silentServer.waitFor(() => silentServer.stdout.includes('silent'), 10_000, 'the silent DNS server');
    dns = new RecordedProcess('ip', [
      'netns',
      'exec',
      ns.name,
      '/usr/sbin/dnsmasq',
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      `--addn-hosts=${hosts}`,
      `--local-ttl=${ttlSeconds}`,
      '--local=/test/', // names under .test that are not in the file: NXDOMAIN, no forwarding
      '--server=/slow/127.0.0.2#5353', // never answered
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--port=53',
      '--user=root',
      `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      '--log-queries',
      `--log-facility=${queryLog}`,
    ]);
    await dns.waitFor(() => readLog().includes('started'), 10_000, 'dnsmasq to start');
  });

  afterAll(async () => {
    for (const c of running) await c.stop();
    await dns?.stop();
    await silentServer?.stop();
    await ns?.dispose();
    rmSync(netnsDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  function readLog(): string {
    try {
      return readFileSync(queryLog, 'utf8');
    } catch {
      return '';
    }
  }

  /** A-record queries dnsmasq answered for `name` so far. */
  function aQueries(name: string): number {
    return readLog()
      .split('\n')
      .filter((line) => line.includes(`query[A] ${name} `)).length;
  }

  function collector(
    name: string,
    targets: string,
    extra: string[] = [],
    env: NodeJS.ProcessEnv = {},
  ): RecordedProcess {
    const file = join(dir, `${name}.txt`);
    writeFileSync(file, targets);
    const c = startCollectorIn(
      ns,
      [
        '-H',
        name,
        '-s',
        '8080',
        '--listen',
        name,
        '--json',
        '--spool-dir',
        join(dir, `spool-${name}`),
        '--icmp-targets',
        file,
        '--icmp-interval',
        '0.5',
        ...extra,
      ],
      env,
    );
    running.push(c);
    return c;
  }

  const probes = (c: RecordedProcess) => ndjson<Probe>(c.stdout).filter((line) => 'target' in line);
  const reloadDns = () => dns.signal('SIGHUP'); // dnsmasq re-reads its hosts file and clears its cache

  it('looks a name up again when its TTL runs out, not at every sweep, and follows a changed answer', async () => {
    const c = collector('127.0.0.40', 'web.test name=web group=dns\n');
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.5'), 30_000, 'a sweep of web.test');
    // Four sweeps a second for six seconds; the name is asked for about once per TTL.
    const before = aQueries('web.test');
    await new Promise((resolve) => setTimeout(resolve, 6000));
    // Each lookup asks twice: getaddrinfo for the addresses, c-ares for their TTL.
    const lookups = (aQueries('web.test') - before) / 2;
    expect(lookups).toBeGreaterThanOrEqual(1);
    expect(lookups).toBeLessThanOrEqual(Math.ceil(6 / ttlSeconds) + 1);
    expect(probes(c).filter((p) => p.target === '127.0.0.5').length).toBeGreaterThan(8);

    writeFileSync(hosts, readFileSync(hosts, 'utf8').replace('127.0.0.5 web.test', '127.0.0.6 web.test'));
    reloadDns();
    const changedAt = Date.now();
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.6'), (ttlSeconds + 5) * 1000, 'the new answer');
    expect(Date.now() - changedAt).toBeLessThan((ttlSeconds + 2) * 1000);
    expect(c.stderr).toMatch(/ICMP: web\.test resolves to 127\.0\.0\.6 now/);
    const switched = probes(c).find((p) => p.target === '127.0.0.6')!.ts;
    await c.waitFor(() => probes(c).filter((p) => p.target === '127.0.0.6').length >= 3, 10_000, 'more sweeps');
    expect(probes(c).filter((p) => p.ts >= switched && p.target === '127.0.0.5')).toEqual([]);
    expect(await c.stop()).toBe(0);
  });

  it('reports a failed lookup, sweeps the rest, and picks the name up once it resolves', async () => {
    const c = collector('127.0.0.41', 'near.test\nlate.test name=late\n');
    await c.waitFor(
      () => /ICMP target late\.test did not resolve \(ENOTFOUND\); skipped/.test(c.stderr),
      30_000,
      'the failure',
    );
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.7'), 30_000, 'near.test swept meanwhile');
    appendFileSync(hosts, '127.0.0.9 late.test\n');
    reloadDns();
    // Retried with backoff (5 s, then 10 s …).
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.9'), 30_000, 'late.test once it resolves');
    expect(c.hasExited).toBe(false);
    expect(await c.stop()).toBe(0);
  });

  it('stops promptly while a lookup hangs on a DNS server that never answers, and sweeps the rest meanwhile', async () => {
    // resolv.conf's defaults would hold each lookup 10 s (two tries of 5 s) and the process's exit
    // with it (Node joins the thread running getaddrinfo); the collector sets RES_OPTIONS to one
    // second per try unless the operator chose otherwise.
    const c = collector('127.0.0.46', 'near.test\nhung.slow name=hung\n');
    await c.waitFor(
      () => /ICMP target hung\.slow did not resolve \(\w+\); skipped/.test(c.stderr),
      30_000,
      'the failure',
    );
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.7'), 30_000, 'near.test swept meanwhile');
    expect(await c.stop(), c.stderr).toBe(0);

    // SIGTERM while the first lookup of the name hangs, before the first sweep.
    const early = collector('127.0.0.47', 'hung.slow\n');
    await early.waitFor(() => /ICMP targets: .*1 targets/.test(early.stderr), 30_000, 'the targets file read');
    const signalledAt = Date.now();
    early.signal('SIGTERM');
    expect(await early.exited, early.stderr).toBe(0);
    expect(Date.now() - signalledAt, early.stderr).toBeLessThan(5000);
  });

  it('does not let a slower system resolver (RES_OPTIONS of its own) hold up the sweeps: the lookup is given up after 3 s', async () => {
    const c = collector('127.0.0.48', 'near.test\nhung.slow\n', [], { RES_OPTIONS: 'timeout:5 attempts:2' });
    const startedAt = Date.now();
    await c.waitFor(
      () => /ICMP target hung\.slow did not resolve \(ETIMEOUT\); skipped/.test(c.stderr),
      30_000,
      'the lookup to be given up',
    );
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.7'), 30_000, 'near.test swept meanwhile');
    // The first sweep did not wait for glibc's 10 s.
    expect(Date.now() - startedAt, c.stderr).toBeLessThan(9000);
    // Its exit waits for that lookup's thread (RES_OPTIONS is the operator's here): not judged.
    c.signal('SIGKILL');
    await c.exited;
  });

  it('probes the A and the AAAA answer as two targets with --dual-stack, one without', async () => {
    const dual = collector('127.0.0.42', 'both.test\n', ['--dual-stack']);
    const single = collector('127.0.0.43', 'both.test\n');
    await dual.waitFor(
      () => ['127.0.0.8', '::1'].every((t) => probes(dual).some((p) => p.target === t)),
      30_000,
      'both families',
    );
    await single.waitFor(() => probes(single).length >= 3, 30_000, 'sweeps without --dual-stack');
    expect(new Set(probes(dual).map((p) => p.target))).toEqual(new Set(['127.0.0.8', '::1']));
    expect(new Set(probes(single).map((p) => p.target))).toEqual(new Set(['127.0.0.8']));
    expect(await dual.stop()).toBe(0);
    expect(await single.stop()).toBe(0);
  });

  it('does not probe a --targets-from hostname that resolves outside --targets-allow', async () => {
    const leader = collector('127.0.0.44', 'near.test\nfar.test\n');
    await leader.waitFor(() => /serving http/.test(leader.stderr), 30_000, 'the leader');
    const follower = startCollectorIn(ns, [
      '-H',
      '127.0.0.45',
      '-s',
      '8080',
      '--listen',
      '127.0.0.45',
      '--json',
      '--spool-dir',
      join(dir, 'spool-follower'),
      '--icmp-interval',
      '0.5',
      '--targets-from',
      'http://127.0.0.44:8080/v1/targets',
      '--targets-allow',
      '127.0.0.0/24',
    ]);
    running.push(follower);
    await follower.waitFor(
      () => probes(follower).filter((p) => p.target === '127.0.0.7').length >= 3,
      30_000,
      'sweeps',
    );
    expect(new Set(probes(follower).map((p) => p.target))).toEqual(new Set(['127.0.0.7']));
    expect(follower.stderr).toMatch(
      /1 addresses from --targets-from hostnames are outside --targets-allow; not probed/,
    );
    expect(new Set(probes(leader).map((p) => p.target))).toEqual(new Set(['127.0.0.7', '127.0.1.5']));
    expect(await follower.stop()).toBe(0);
    expect(await leader.stop()).toBe(0);
  });
});
