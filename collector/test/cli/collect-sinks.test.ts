// `pingsphere collect` with its sinks, end to end: real collectors (HTTP mesh + ICMP sweeps) run
// inside a fresh network namespace, so their probes reach nothing but its loopback; the real
// QuestDB and moto_server run on the host and are forwarded into the namespace over a Unix socket.
// The oracle for "stored exactly once" and "nothing printed is lost" is what each collector
// printed (--json), never the sink's own spool.
import { watch, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, LocalMoto, LocalQuestDb, NetworkNamespace, quantile } from '@pingsphere/testbed';
import { ndjson, runThenStop, startCollectorIn, type RecordedProcess } from '../helpers/processes.js';
import { storedRows } from '../helpers/stored-once.js';

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
interface Printed {
  icmp: IcmpLine[];
  http: HttpLine[];
}

const folders: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** A targets file of N loopback addresses from 127.0.0.1 on (all answered by the namespace's lo). */
function targetsFile(count: number): string {
  const file = join(tempDir('pingsphere-icmp-targets-'), 'targets.txt');
  const address = (i: number) =>
    `127.${Math.floor((i + 1) / 65536)}.${Math.floor((i + 1) / 256) % 256}.${(i + 1) % 256}`;
  writeFileSync(file, Array.from({ length: count }, (_, i) => address(i)).join('\n') + '\n');
  return file;
}

/** The NDJSON results on stdout, complete lines only (a killed process may leave half a line). */
function splitOutput(stdout: string): Printed {
  const lines = ndjson<Record<string, unknown>>(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
  return {
    icmp: lines.filter((l) => 'target' in l) as unknown as IcmpLine[],
    http: lines.filter((l) => 'dst_loc' in l) as unknown as HttpLine[],
  };
}

function spoolSegments(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ilp'));
}

const icmpKey = (ts: unknown, dst: unknown, seq: unknown) => `${String(ts)}|${String(dst)}|${String(seq)}`;
const httpKey = (ts: unknown, dst: unknown) => `${String(ts)}|${String(dst)}`;

/** Printed results that QuestDB does not hold (after it applied everything), and its repeats. */
async function unstored(questdb: LocalQuestDb, src: string, printed: Printed) {
  const icmp = await storedRows(questdb, 'icmp', src);
  const http = await storedRows(questdb, 'http', src);
  // A table that was never created (nothing reached QuestDB) holds no keys.
  const keys = async (sql: string) => (await questdb.rows(sql).catch(() => [])) as Record<string, unknown>[];
  const where = `where src = '${src}'`;
  const icmpKeys = new Set(
    (await keys(`select ts, dst, seq from icmp ${where}`)).map((r) => icmpKey(r.ts, r.dst, r.seq)),
  );
  const httpKeys = new Set((await keys(`select ts, dst from http ${where}`)).map((r) => httpKey(r.ts, r.dst)));
  return {
    icmpRows: icmp.rows,
    httpRows: http.rows,
    repeated: [...icmp.repeated, ...http.repeated],
    missing: [
      ...printed.icmp.filter((l) => !icmpKeys.has(icmpKey(l.ts, l.target, l.seq))),
      ...printed.http.filter((l) => !httpKeys.has(httpKey(l.ts, l.dst))),
    ],
  };
}

/** Every printed result is in QuestDB exactly once, and QuestDB holds nothing else from `src`. */
async function expectStoredExactlyOnce(questdb: LocalQuestDb, src: string, printed: Printed) {
  expect(await unstored(questdb, src, printed)).toEqual({
    icmpRows: printed.icmp.length,
    httpRows: printed.http.length,
    repeated: [],
    missing: [],
  });
}

/** Seconds from each printed ICMP result's send time until the line reached us (p50, max). */
function printLag(process: RecordedProcess): { p50: number; max: number } {
  const lags: number[] = [];
  let offset = 0;
  let arrival = 0;
  for (const line of process.stdout.split('\n')) {
    offset += line.length + 1;
    while (arrival < process.stdoutArrivals.length - 1 && process.stdoutArrivals[arrival]!.length < offset) arrival++;
    if (!line.startsWith('{"target"')) continue;
    const { ts } = JSON.parse(line) as IcmpLine;
    lags.push((process.stdoutArrivals[arrival]!.atMs - Date.parse(ts)) / 1000);
  }
  return lags.length > 0 ? { p50: quantile(lags, 0.5), max: quantile(lags, 1) } : { p50: 0, max: 0 };
}

/**
 * Kills `process` with SIGKILL the moment a spool segment is being written (its temporary file
 * appears); resolves whether one was still half-written when the process was gone.
 */
async function killDuringSpoolWrite(process: RecordedProcess, spool: string, timeoutMs: number): Promise<boolean> {
  await new Promise<void>((resolve) => {
    const watcher = watch(spool, (_event, name) => {
      if (!name?.endsWith('.tmp')) return;
      process.signal('SIGKILL');
      finish();
    });
    const timer = setTimeout(() => {
      process.signal('SIGKILL');
      finish();
    }, timeoutMs);
    function finish() {
      clearTimeout(timer);
      watcher.close();
      resolve();
    }
  });
  await process.exited;
  return readdirSync(spool).some((f) => f.endsWith('.tmp'));
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

  function collector(name: string, location: string, extra: string[], conf = questdb.clientConf): RecordedProcess {
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
      conf,
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
      '--icmp-flows',
      '2',
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
    // With QuestDB configured a result is printed once QuestDB acknowledged it: so the sink has
    // delivered by now.
    const metrics = (await ns.exec('curl', ['-s', 'http://127.0.0.1:8080/metrics'])).stdout;
    expect(metrics).toMatch(/^pingsphere_sink_results\{sink="questdb",state="delivered"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^pingsphere_sink_results\{sink="questdb",state="dropped"\} 0$/m);
    expect(metrics).toMatch(/^pingsphere_icmp_sweeps [1-9]\d*$/m);
    expect(metrics).toMatch(/^pingsphere_icmp_timestamp_mode\{mode="software"\} 1$/m);
    expect(metrics).toMatch(/^pingsphere_icmp_tx_stamp_fallbacks 0$/m);
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
    expect(a.stderr).toMatch(/questdb: \d+ results delivered, 0 pending \(kept for the next run\), 0 dropped/);

    await expectStoredExactlyOnce(questdb, '127.0.0.1', splitOutput(a.stdout));
    await expectStoredExactlyOnce(questdb, '127.0.0.2', splitOutput(b.stdout));

    const icmp = await questdb.rows(
      "select src, src_loc, dst, rtt_ms, seq, flow from icmp where src = '127.0.0.1' and dst = '127.0.0.40' limit 1",
    );
    expect(icmp[0]).toMatchObject({ src: '127.0.0.1', src_loc: 'Frankfurt,DE', dst: '127.0.0.40', seq: 0, flow: 0 });
    expect(icmp[0]!.rtt_ms).toBeGreaterThan(0);
    expect(icmp[0]!.rtt_ms).toBeLessThan(50);
    // One row per sweep in icmp_sweep (the log has a line per sweep), saying how its RTTs were timed.
    const sweepCount = a.stderr.match(/ICMP: sweep \d+:/g)?.length ?? 0;
    expect(sweepCount).toBeGreaterThanOrEqual(2);
    expect(await questdb.waitForCount("select count() from icmp_sweep where src = '127.0.0.1'", sweepCount)).toBe(
      sweepCount,
    );
    const sweeps = await questdb.rows(
      "select timestamp_mode, socket_mode, targets, probes, replies, tx_stamp_fallbacks, flows from icmp_sweep where src = '127.0.0.1'",
    );
    for (const sweep of sweeps) {
      expect(sweep).toMatchObject({ timestamp_mode: 'software', socket_mode: 'raw', targets: 40, flows: 2 });
      expect(sweep.tx_stamp_fallbacks).toBe(0);
    }
    // Sweeps that ran to the end (the one in progress at stop reports its in-flight probes lost).
    expect(sweeps.filter((s) => s.probes === 40 && s.replies === 40).length).toBeGreaterThanOrEqual(1);
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
    await c.waitFor(() => spoolSegments(spool).length > 0, 20_000, 'rows in the spool');
    const printedBefore = splitOutput(c.stdout).icmp.length;
    // Results keep being printed during the outage: each once it is in the fsync'd spool.
    await c.waitFor(() => splitOutput(c.stdout).icmp.length >= printedBefore + 40, 20_000, 'sweeps during the outage');
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - outageStarted))));
    await questdb.start();
    await c.waitFor(() => /is back; replaying \d+ spooled rows/.test(c.stderr), 30_000, 'the sink to reconnect');
    await c.waitFor(() => spoolSegments(spool).length === 0, 30_000, 'the spool to drain');
    expect(await c.stop()).toBe(0);
    expect(c.stderr).toMatch(/questdb: \d+ results delivered, 0 pending \(kept for the next run\), 0 dropped/);
    const output = splitOutput(c.stdout);
    // Results from before, during and after the outage.
    expect(output.icmp.length).toBeGreaterThanOrEqual(20 * 14);
    await expectStoredExactlyOnce(questdb, '127.0.0.3', output);
  });

  it('loses nothing it printed when killed with -9 in the middle of spool writes (QuestDB down)', async () => {
    const spool = tempDir('pingsphere-spool-kill-');
    const targets = targetsFile(5000);
    await questdb.stop();
    const printed: Printed = { icmp: [], http: [] };
    let killedMidWrite = 0;
    // A kill lands the moment a segment's temporary file appears; one that is still there after
    // the process is gone proves the kill interrupted a real write. A few tries get one (fast
    // sweeps make segments of 4,096 rows, ~400 kB, whose write and fsync take milliseconds).
    for (let attempt = 1; attempt <= 10 && killedMidWrite === 0; attempt++) {
      const c = collector('127.0.0.4', 'Sydney,AU', [
        '-d',
        '0.5',
        '--spool-dir',
        spool,
        '--icmp-targets',
        targets,
        '--icmp-interval',
        '1',
        '--icmp-rate',
        '100000',
        'http://127.0.0.4:8080/v1/ping',
      ]);
      await c.waitFor(() => splitOutput(c.stdout).icmp.length >= 5000, 30_000, 'a first sweep printed');
      if (await killDuringSpoolWrite(c, spool, 10_000)) killedMidWrite += 1;
      const output = splitOutput(c.stdout);
      printed.icmp.push(...output.icmp);
      printed.http.push(...output.http);
    }
    console.log(`kill -9 with QuestDB down: ${killedMidWrite} kills left a half-written segment`);
    expect(killedMidWrite).toBeGreaterThan(0);

    const spooledSegments = spoolSegments(spool).length;
    await questdb.start();
    // The restarted collector only serves: it delivers the spool and probes nothing new.
    const replay = collector('127.0.0.4', 'Sydney,AU', ['--spool-dir', spool]);
    await replay.waitFor(() => /questdb: storing results/.test(replay.stderr), 60_000, 'the sink to open');
    await replay.waitFor(() => spoolSegments(spool).length === 0, 60_000, 'the spool to drain');
    expect(readdirSync(spool).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await replay.stop()).toBe(0);
    const result = await unstored(questdb, '127.0.0.4', printed);
    expect({ repeated: result.repeated, missing: result.missing }).toEqual({ repeated: [], missing: [] });
    expect(spooledSegments).toBeGreaterThan(0);
    expect(replay.stderr).toMatch(/replaying \d+ rows spooled by an earlier run/);
    // What was in a segment not yet renamed when the process died was never printed: the spool
    // holds at least what was printed, and (QuestDB being down) nothing more than was measured.
    expect(result.icmpRows).toBeGreaterThanOrEqual(printed.icmp.length);
  });

  it('loses nothing it printed when killed with -9 while QuestDB is up; the print lag bounds what a kill can take', async () => {
    const spool = tempDir('pingsphere-spool-kill-up-');
    const c = collector('127.0.0.5', 'Lima,PE', [
      '-d',
      '0.25',
      '--spool-dir',
      spool,
      '--icmp-targets',
      targetsFile(2000),
      '--icmp-interval',
      '1',
      '--icmp-rate',
      '20000',
      'http://127.0.0.5:8080/v1/ping',
    ]);
    await c.waitFor(() => splitOutput(c.stdout).icmp.length >= 6000, 60_000, 'three sweeps printed');
    // In the middle of a sweep: some results printed, more measured and on their way.
    const before = splitOutput(c.stdout).icmp.length;
    await c.waitFor(() => splitOutput(c.stdout).icmp.length > before, 10_000, 'the next sweep to print');
    c.signal('SIGKILL');
    await c.exited;
    const printed = splitOutput(c.stdout);
    const result = await unstored(questdb, '127.0.0.5', printed);
    expect({ repeated: result.repeated, missing: result.missing }).toEqual({ repeated: [], missing: [] });
    // A result reaches the terminal only once QuestDB acknowledged it, so the window a kill can
    // take (measured, not printed) is this lag: RTT timeout (1 s) + up to 1 s in the sink.
    const lag = printLag(c);
    console.log(
      `kill -9 with QuestDB up: ${printed.icmp.length} ICMP results printed, all stored; ` +
        `${result.icmpRows - printed.icmp.length} stored but not yet printed; print lag p50 ${lag.p50.toFixed(2)} s, max ${lag.max.toFixed(2)} s`,
    );
    expect(lag.p50).toBeLessThan(5);
  });

  it('spools while QuestDB is unreachable and drops the oldest beyond --spool-max-mb, counting them', async () => {
    const spool = tempDir('pingsphere-spool-cap-');
    const closed = `http::addr=127.0.0.1:${await freeLoopbackPort()};`;
    const c = collector(
      '127.0.0.6',
      'Oslo,NO',
      ['--spool-dir', spool, '--spool-max-mb', '1', '--icmp-targets', targetsFile(5000), '--icmp-interval', '1'],
      closed,
    );
    await c.waitFor(
      () => /questdb: dropped \d+ spooled rows: spool over its limit of 1048576 bytes/.test(c.stderr),
      60_000,
      'the spool to reach its limit',
    );
    const metrics = (await ns.exec('curl', ['-s', 'http://127.0.0.6:8080/metrics'])).stdout;
    expect(metrics).toMatch(/^pingsphere_sink_results\{sink="questdb",state="dropped"\} [1-9]\d*$/m);
    const bytes = spoolSegments(spool).map((f) => statSync(join(spool, f)).size);
    // Within the bound, give or take the segment written last (evicted only after it is durable).
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1024 * 1024 + Math.max(...bytes));
    expect(await c.stop()).toBe(0);
    expect(c.stderr).toMatch(/questdb: 0 results delivered, \d+ pending \(kept for the next run\), [1-9]\d* dropped/);
  });

  it('applies --questdb-ttl-days to the tables and roll-ups it creates', async () => {
    const c = collector('127.0.0.7', 'Lagos,NG', [
      '--spool-dir',
      tempDir('pingsphere-spool-ttl-'),
      '--questdb-ttl-days',
      '3',
      '-d',
      '0.25',
      'http://127.0.0.7:8080/v1/ping',
    ]);
    await c.waitFor(() => splitOutput(c.stdout).http.length >= 2, 30_000, 'pings stored');
    expect(await c.stop()).toBe(0);
    const ttl = await questdb.rows(
      "select table_name, ttlValue, ttlUnit from tables() where table_name in ('icmp', 'http', 'icmp_1m', 'http_1m') order by table_name",
    );
    expect(ttl).toEqual(
      ['http', 'http_1m', 'icmp', 'icmp_1m'].map((table_name) => ({ table_name, ttlValue: 3, ttlUnit: 'DAY' })),
    );
  });
});

describe('pingsphere collect --questdb against a QuestDB that refuses its credentials', () => {
  const collectorLogin = { user: 'collector', password: 'the-right-one' };
  let questdb: LocalQuestDb;
  let ns: NetworkNamespace;
  let forward: { close(): Promise<void> };

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch({ credentials: { user: 'collector', password: 'rotated-elsewhere' } });
    ns = await NetworkNamespace.create();
    forward = await ns.forwardHostPort(questdb.ports.http);
  });

  afterAll(async () => {
    await forward?.close();
    await ns?.dispose();
    await questdb?.dispose();
  });

  it('spools what it measures, says why, and stores it exactly once when QuestDB accepts the credentials again', async () => {
    const spool = tempDir('pingsphere-spool-auth-');
    const conf = `http::addr=127.0.0.1:${questdb.ports.http};username=${collectorLogin.user};password=${collectorLogin.password};`;
    const c = startCollectorIn(ns, [
      '-H',
      '127.0.0.8',
      '-L',
      'Quito,EC',
      '-s',
      '8080',
      '--listen',
      '127.0.0.8',
      '--json',
      '--questdb',
      conf,
      '--spool-dir',
      spool,
      '--icmp-targets',
      targetsFile(30),
      '--icmp-interval',
      '1',
      '-d',
      '0.5',
      'http://127.0.0.8:8080/v1/ping',
    ]);
    let exitCode: number | null;
    try {
      await c.waitFor(() => /refused our credentials/.test(c.stderr), 30_000, 'the sink to report the refusal');
      await c.waitFor(() => splitOutput(c.stdout).icmp.length >= 60, 30_000, 'sweeps printed while refused');
      expect(spoolSegments(spool).length).toBeGreaterThan(0);
      // The operator fixes QuestDB's configuration; the collector notices on its own.
      await questdb.stop();
      questdb.setCredentials(collectorLogin);
      await questdb.start();
      await c.waitFor(() => /is back; replaying \d+ spooled rows/.test(c.stderr), 30_000, 'the sink to get in');
      await c.waitFor(() => spoolSegments(spool).length === 0, 30_000, 'the spool to drain');
    } finally {
      exitCode = await c.stop();
    }
    expect(exitCode).toBe(0);
    expect(c.stderr).toMatch(/questdb: \d+ results delivered, 0 pending \(kept for the next run\), 0 dropped/);
    await expectStoredExactlyOnce(questdb, '127.0.0.8', splitOutput(c.stdout));
    expect(await questdb.rows("select dedup from tables() where table_name = 'icmp'")).toEqual([{ dedup: true }]);
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
    // One series per response code, each judged on the pings it should hold: a ping that reaches
    // Oslo while Oslo is shutting down gets 503 (Fastify's answer on a closing server) and goes to
    // the 503 series, not the 200 one.
    const codes = [...new Set(oslo.map((l) => l.status))].sort();
    expect(codes).toContain(200);
    const times = oslo.map((l) => new Date(l.ts).getTime());
    for (const code of codes) {
      const pings = oslo.filter((l) => l.status === code);
      const stats = await client.send(
        new GetMetricStatisticsCommand({
          Namespace: 'pingmesh',
          MetricName: 'TCP RTT',
          Dimensions: [
            { Name: 'TestUrl', Value: 'Oslo,NO' },
            { Name: 'HTTP Resp Code', Value: String(code).padStart(3, '0') },
            { Name: 'FromLocation', Value: 'Paris,FR' },
          ],
          StartTime: new Date(Math.min(...times) - 120_000),
          EndTime: new Date(Math.max(...times) + 120_000),
          Period: 60,
          Statistics: ['SampleCount', 'Minimum', 'Maximum'],
        }),
      );
      const points = stats.Datapoints ?? [];
      expect(
        points.reduce((n, p) => n + (p.SampleCount ?? 0), 0),
        `samples of HTTP ${code}`,
      ).toBe(pings.length);
      // NDJSON rounds to 3 decimals; CloudWatch got the exact values.
      expect(Math.min(...points.map((p) => p.Minimum!))).toBeCloseTo(Math.min(...pings.map((l) => l.connect_ms)), 2);
      expect(Math.max(...points.map((p) => p.Maximum!))).toBeCloseTo(Math.max(...pings.map((l) => l.connect_ms)), 2);
    }
  });
});
