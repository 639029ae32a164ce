// `pingsphere collect` with its sinks, end to end: real collectors (HTTP mesh + ICMP sweeps) run
// inside a fresh network namespace, so their probes reach nothing but its loopback; the real
// QuestDB and moto_server run on the host and are forwarded into the namespace over a Unix socket.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMoto, LocalQuestDb, NetworkNamespace } from '@pingsphere/testbed';
import { ndjson, runThenStop, startCollectorIn, type RecordedProcess } from '../helpers/processes.js';

interface IcmpLine {
  target: string;
  seq: number;
  rtt_ms: number | null;
  ts: string;
}
interface HttpLine {
  ts: string;
  src: string;
  dst: string;
  dst_loc: string;
  status: number;
  connect_ms: number;
  ok: boolean;
}

const folders: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** A targets file of 127.0.0.1 … 127.0.0.N (all answered by the namespace's loopback). */
function targetsFile(count: number): string {
  const file = join(tempDir('pingsphere-icmp-targets-'), 'targets.txt');
  writeFileSync(file, Array.from({ length: count }, (_, i) => `127.0.0.${i + 1}`).join('\n') + '\n');
  return file;
}

function splitOutput(stdout: string): { icmp: IcmpLine[]; http: HttpLine[] } {
  const lines = ndjson<Record<string, unknown>>(stdout);
  return {
    icmp: lines.filter((l) => 'target' in l) as unknown as IcmpLine[],
    http: lines.filter((l) => 'dst_loc' in l) as unknown as HttpLine[],
  };
}

/** Every NDJSON result appears exactly once in QuestDB (as many rows as results, all distinct). */
async function expectStoredExactlyOnce(
  questdb: LocalQuestDb,
  src: string,
  output: { icmp: IcmpLine[]; http: HttpLine[] },
) {
  expect(await questdb.waitForCount(`select count() from icmp where src = '${src}'`, output.icmp.length)).toBe(
    output.icmp.length,
  );
  expect(await questdb.waitForCount(`select count() from http where src = '${src}'`, output.http.length)).toBe(
    output.http.length,
  );
  const icmpRows = await questdb.rows(`select ts, dst, seq, rtt_ms from icmp where src = '${src}'`);
  const key = (ts: unknown, dst: unknown, seq: unknown) => `${String(ts)}|${String(dst)}|${String(seq)}`;
  const stored = new Set(icmpRows.map((r) => key(r.ts, r.dst, r.seq)));
  expect(stored.size).toBe(icmpRows.length);
  for (const line of output.icmp) expect(stored.has(key(line.ts, line.target, line.seq))).toBe(true);
  const httpRows = await questdb.rows(`select ts, dst from http where src = '${src}'`);
  const storedHttp = new Set(httpRows.map((r) => `${String(r.ts)}|${String(r.dst)}`));
  expect(storedHttp.size).toBe(httpRows.length);
  for (const line of output.http) expect(storedHttp.has(`${line.ts}|${line.dst}`)).toBe(true);
}

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('pingsphere collect --questdb', () => {
  let questdb: LocalQuestDb;
  let ns: NetworkNamespace;
  let forward: { close(): Promise<void> };
  const collectors: RecordedProcess[] = [];

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    ns = await NetworkNamespace.create();
    forward = await ns.forwardHostPort(questdb.ports.http);
  });

  afterAll(async () => {
    for (const collector of collectors) await collector.stop();
    await forward?.close();
    await ns?.dispose();
    await questdb?.dispose();
  });

  function collector(name: string, location: string, extra: string[]): RecordedProcess {
    const child = startCollectorIn(ns, [
      '-H',
      name,
      '-L',
      location,
      '-s',
      '8080',
      '--listen',
      name,
      '--json',
      '--questdb',
      questdb.clientConf,
      ...extra,
    ]);
    collectors.push(child);
    return child;
  }

  it('stores rows from a real ICMP sweep and a real HTTP mesh with the right columns, each result once', async () => {
    const spoolA = tempDir('pingsphere-spool-a-');
    const spoolB = tempDir('pingsphere-spool-b-');
    const targets = targetsFile(40);
    const a = collector('127.0.0.1', 'Frankfurt,DE', [
      '-d',
      '0.25',
      '--spool-dir',
      spoolA,
      '--icmp-targets',
      targets,
      '--icmp-interval',
      '1',
      'http://127.0.0.2:8080/v1/ping',
    ]);
    const b = collector('127.0.0.2', 'Virginia,US', [
      '-d',
      '0.25',
      '--spool-dir',
      spoolB,
      'http://127.0.0.1:8080/v1/ping',
    ]);
    await a.waitFor(
      () => splitOutput(a.stdout).icmp.length >= 80 && splitOutput(a.stdout).http.length >= 6,
      30_000,
      'two sweeps and some pings',
    );
    await b.waitFor(() => splitOutput(b.stdout).http.length >= 6, 30_000, 'some pings from B');
    // The sink sends at most a second after a result: scrape until its first delivery shows.
    let metrics = '';
    for (let i = 0; i < 50 && !/state="delivered"\} [1-9]/.test(metrics.split('questdb')[1] ?? ''); i++) {
      metrics = (await ns.exec('curl', ['-s', 'http://127.0.0.1:8080/metrics'])).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(metrics).toMatch(/^pingsphere_sink_results\{sink="questdb",state="delivered"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^pingsphere_sink_results\{sink="questdb",state="dropped"\} 0$/m);
    expect(metrics).toMatch(/^pingsphere_icmp_sweeps [1-9]\d*$/m);
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
    expect(a.stderr).toMatch(/questdb: \d+ results delivered, 0 pending \(kept for the next run\), 0 dropped/);

    const outputA = splitOutput(a.stdout);
    const outputB = splitOutput(b.stdout);
    await expectStoredExactlyOnce(questdb, '127.0.0.1', outputA);
    await expectStoredExactlyOnce(questdb, '127.0.0.2', outputB);

    const icmp = await questdb.rows(
      "select src, src_loc, dst, rtt_ms, seq from icmp where src = '127.0.0.1' and dst = '127.0.0.40' limit 1",
    );
    expect(icmp[0]).toMatchObject({ src: '127.0.0.1', src_loc: 'Frankfurt,DE', dst: '127.0.0.40', seq: 0 });
    expect(icmp[0]!.rtt_ms).toBeGreaterThan(0);
    expect(icmp[0]!.rtt_ms).toBeLessThan(50);
    // Learned from the peer's /v1/ping reply, as pingmesh does.
    const http = await questdb.rows(
      "select src_loc, dst, dst_host, dst_ip, dst_loc, status, connect_ms, total_ms, ok from http where src = '127.0.0.2' and ok order by ts desc limit 1",
    );
    expect(http[0]).toMatchObject({
      src_loc: 'Virginia,US',
      dst: 'http://127.0.0.1:8080/v1/ping',
      dst_host: '127.0.0.1',
      dst_ip: '127.0.0.1',
      dst_loc: 'Frankfurt,DE',
      status: 200,
      ok: true,
    });
    expect(http[0]!.connect_ms).toBeGreaterThan(0);
    expect(http[0]!.total_ms).toBeGreaterThanOrEqual(http[0]!.connect_ms as number);
  });

  it('keeps collecting through a 30 s QuestDB outage; afterwards every result is stored exactly once', async () => {
    const spool = tempDir('pingsphere-spool-outage-');
    const c = collector('127.0.0.3', 'Singapore,SG', [
      '-d',
      '0.5',
      '--spool-dir',
      spool,
      '--icmp-targets',
      targetsFile(20),
      '--icmp-interval',
      '2',
      'http://127.0.0.3:8080/v1/ping',
    ]);
    await c.waitFor(() => splitOutput(c.stdout).icmp.length >= 20, 30_000, 'a first sweep');
    await questdb.stop();
    const outageStarted = Date.now();
    await c.waitFor(() => /is unavailable/.test(c.stderr), 20_000, 'the sink to notice the outage');
    await c.waitFor(() => readdirSync(spool).some((f) => f.endsWith('.ndjson')), 20_000, 'rows in the spool');
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - outageStarted))));
    await questdb.start();
    await c.waitFor(() => /is back; replaying \d+ spooled rows/.test(c.stderr), 30_000, 'the sink to reconnect');
    await c.waitFor(
      () => readdirSync(spool).filter((f) => f.endsWith('.ndjson')).length === 0,
      30_000,
      'the spool to drain',
    );
    expect(await c.stop()).toBe(0);
    expect(c.stderr).toMatch(/questdb: \d+ results delivered, 0 pending \(kept for the next run\), 0 dropped/);
    const output = splitOutput(c.stdout);
    // Results from before, during and after the outage.
    expect(output.icmp.length).toBeGreaterThanOrEqual(20 * 14);
    await expectStoredExactlyOnce(questdb, '127.0.0.3', output);
  });

  it('delivers, exactly once, what a collector killed with -9 left in its spool', async () => {
    const spool = tempDir('pingsphere-spool-kill-');
    await questdb.stop();
    const first = collector('127.0.0.4', 'Sydney,AU', [
      '-d',
      '0.5',
      '--spool-dir',
      spool,
      '--icmp-targets',
      targetsFile(25),
      '--icmp-interval',
      '1',
      'http://127.0.0.4:8080/v1/ping',
    ]);
    await first.waitFor(
      () => readdirSync(spool).filter((f) => f.endsWith('.ndjson')).length >= 2,
      30_000,
      'spooled rows',
    );
    first.signal('SIGKILL');
    await first.exited;
    const segments = readdirSync(spool).filter((f) => f.endsWith('.ndjson'));
    const spooled = segments.flatMap((file) =>
      readFileSync(join(spool, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { family: string; results: { tsUs: number; dst: string; seq?: number }[] }),
    );
    const spooledIcmp = spooled.filter((b) => b.family === 'icmp').flatMap((b) => b.results);
    expect(spooledIcmp.length).toBeGreaterThanOrEqual(25);

    await questdb.start();
    // The restarted collector only serves: it delivers the spool and probes nothing new.
    const second = collector('127.0.0.4', 'Sydney,AU', ['--spool-dir', spool]);
    await second.waitFor(
      () => /replaying \d+ rows spooled by an earlier run/.test(second.stderr),
      20_000,
      'the replay',
    );
    await second.waitFor(
      () => readdirSync(spool).filter((f) => f.endsWith('.ndjson')).length === 0,
      30_000,
      'the spool to drain',
    );
    expect(await second.stop()).toBe(0);
    const total = spooled.reduce((sum, b) => sum + b.results.length, 0);
    expect(await questdb.waitForCount("select count() from icmp where src = '127.0.0.4'", spooledIcmp.length)).toBe(
      spooledIcmp.length,
    );
    expect(
      await questdb.waitForCount("select count() from http where src = '127.0.0.4'", total - spooledIcmp.length),
    ).toBe(total - spooledIcmp.length);
    const rows = await questdb.rows("select count_distinct(concat(ts, dst, seq)) n from icmp where src = '127.0.0.4'");
    expect(rows[0]!.n).toBe(spooledIcmp.length);
  });
});

describe('pingsphere collect -c (CloudWatch, against moto)', () => {
  let moto: LocalMoto;
  let ns: NetworkNamespace;
  let forward: { close(): Promise<void> };

  beforeAll(async () => {
    moto = await LocalMoto.launch();
    ns = await NetworkNamespace.create();
    forward = await ns.forwardHostPort(moto.port);
  });

  afterAll(async () => {
    await forward?.close();
    await ns?.dispose();
    await moto?.stop();
  });

  it('publishes TCP RTT per peer with statistics equal to the measured connect times', async () => {
    const env = moto.clientEnv();
    const a = startCollectorIn(
      ns,
      [
        '-H',
        '127.0.0.1',
        '-L',
        'Paris,FR',
        '-s',
        '8080',
        '--listen',
        '127.0.0.1',
        '-d',
        '0.2',
        '--json',
        '-c',
        'http://127.0.0.2:8080/v1/ping',
      ],
      env,
    );
    const b = startCollectorIn(
      ns,
      ['-H', '127.0.0.2', '-L', 'Oslo,NO', '-s', '8080', '--listen', '127.0.0.2', '--json'],
      env,
    );
    await runThenStop([a, b], () =>
      a.waitFor(() => splitOutput(a.stdout).http.filter((l) => l.dst_loc === 'Oslo,NO').length >= 10, 30_000, 'pings'),
    );
    expect(a.stderr).toContain('cloudwatch: publishing to namespace "pingmesh"');
    const measured = splitOutput(a.stdout).http.filter((l) => l.status > 0);
    const client = new CloudWatchClient(moto.clientConfig());
    const listed = await client.send(new ListMetricsCommand({ Namespace: 'pingmesh', MetricName: 'TCP RTT' }));
    const locations = new Set(measured.map((l) => l.dst_loc || '127.0.0.2'));
    expect(listed.Metrics!.map((m) => m.Dimensions!.find((d) => d.Name === 'TestUrl')!.Value).sort()).toEqual(
      [...locations].sort(),
    );
    const oslo = measured.filter((l) => l.dst_loc === 'Oslo,NO');
    const times = oslo.map((l) => new Date(l.ts).getTime());
    const stats = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'pingmesh',
        MetricName: 'TCP RTT',
        Dimensions: [
          { Name: 'TestUrl', Value: 'Oslo,NO' },
          { Name: 'HTTP Resp Code', Value: '200' },
          { Name: 'FromLocation', Value: 'Paris,FR' },
        ],
        StartTime: new Date(Math.min(...times) - 120_000),
        EndTime: new Date(Math.max(...times) + 120_000),
        Period: 60,
        Statistics: ['SampleCount', 'Minimum', 'Maximum'],
      }),
    );
    const points = stats.Datapoints ?? [];
    expect(points.reduce((n, p) => n + (p.SampleCount ?? 0), 0)).toBe(oslo.length);
    // NDJSON rounds to 3 decimals; CloudWatch got the exact values.
    expect(Math.min(...points.map((p) => p.Minimum!))).toBeCloseTo(Math.min(...oslo.map((l) => l.connect_ms)), 2);
    expect(Math.max(...points.map((p) => p.Maximum!))).toBeCloseTo(Math.max(...oslo.map((l) => l.connect_ms)), 2);
  });
});
