import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb } from '@pingsphere/testbed';
import { icmpBatchOf } from '../../src/icmp/icmp-batches.js';
import { sliceIcmpBatch } from '../../src/results/icmp-batch.js';
import { QuestDbSink } from '../../src/sinks/questdb/questdb-sink.js';
import { httpResult, icmpBatch, icmpResults } from '../fixtures/results.js';
import { storedRows } from '../helpers/stored-once.js';

async function waitUntilDrained(sink: QuestDbSink, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (sink.stats().pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

const warnings: string[] = [];
const folders: string[] = [];

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pingsphere-spool-'));
  folders.push(dir);
  return dir;
}

function segments(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ilp'));
}

function openSink(
  questdb: LocalQuestDb,
  dir: string,
  extra: { batchRows?: number; conf?: string; flushIntervalMs?: number } = {},
): Promise<QuestDbSink> {
  return QuestDbSink.open({
    conf: questdb.clientConf,
    spoolDir: dir,
    flushIntervalMs: 100,
    warn: (m) => warnings.push(m),
    ...extra,
  });
}

afterEach(() => {
  warnings.length = 0;
});

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

// Tests share one QuestDB; each writes under its own `src` so counts stay independent.
describe('QuestDbSink', () => {
  let questdb: LocalQuestDb;

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
  });

  afterAll(async () => {
    await questdb?.dispose();
  });

  it('creates the tables of DESIGN.md (icmp.dst as VARCHAR, icmp.flow): designated ts, SYMBOLs, daily partitions, WAL, dedup keys, roll-ups', async () => {
    const sink = await openSink(questdb, spoolDir());
    sink.write(icmpBatch(1, { src: 'schema' }));
    sink.write({ family: 'http', results: [httpResult({ src: 'schema' })] });
    await sink.close();

    const tables = await questdb.rows(
      "select table_name, designatedTimestamp, partitionBy, walEnabled, dedup from tables() where table_name in ('icmp','http') order by table_name",
    );
    expect(tables).toEqual([
      { table_name: 'http', designatedTimestamp: 'ts', partitionBy: 'DAY', walEnabled: true, dedup: true },
      { table_name: 'icmp', designatedTimestamp: 'ts', partitionBy: 'DAY', walEnabled: true, dedup: true },
    ]);
    const icmpColumns = await questdb.rows('select "column", type, upsertKey from table_columns(\'icmp\')');
    expect(icmpColumns).toEqual([
      { column: 'ts', type: 'TIMESTAMP', upsertKey: true },
      { column: 'src', type: 'SYMBOL', upsertKey: true },
      { column: 'src_loc', type: 'SYMBOL', upsertKey: false },
      { column: 'dst', type: 'VARCHAR', upsertKey: true },
      { column: 'rtt_ms', type: 'DOUBLE', upsertKey: false },
      { column: 'seq', type: 'LONG', upsertKey: true },
      { column: 'flow', type: 'SHORT', upsertKey: false },
    ]);
    const httpTypes = Object.fromEntries(
      (await questdb.rows('select "column", type from table_columns(\'http\')')).map((r) => [r.column, r.type]),
    );
    expect(httpTypes).toEqual({
      ts: 'TIMESTAMP',
      src: 'SYMBOL',
      src_loc: 'SYMBOL',
      dst: 'SYMBOL',
      dst_host: 'SYMBOL',
      dst_ip: 'SYMBOL',
      dst_loc: 'SYMBOL',
      status: 'INT',
      dns_ms: 'DOUBLE',
      connect_ms: 'DOUBLE',
      tls_ms: 'DOUBLE',
      ttfb_ms: 'DOUBLE',
      close_ms: 'DOUBLE',
      total_ms: 'DOUBLE',
      size_bytes: 'LONG',
      ok: 'BOOLEAN',
      error: 'SYMBOL',
    });
    const views = await questdb.rows('select view_name from materialized_views() order by view_name');
    expect(views.map((v) => v.view_name)).toEqual([
      'http_1m',
      'icmp_1d',
      'icmp_1h',
      'icmp_1m',
      'icmp_group_1h',
      'icmp_group_1m',
    ]);
  });

  it('stores ICMP and HTTP results with their values, a lost probe as a NULL rtt, the flow of each probe', async () => {
    const sink = await openSink(questdb, spoolDir());
    const probes = icmpResults(10, { src: 'values' }).map((r, i) => ({ ...r, flow: i % 4 }));
    sink.write(icmpBatchOf(probes));
    sink.write({ family: 'http', results: [httpResult({ src: 'values', status: 503, ok: false, error: 'http_503' })] });
    await sink.flush();
    await questdb.waitUntilApplied(['icmp', 'http']);
    const rows = await questdb.rows(
      "select ts, src, src_loc, dst, rtt_ms, seq, flow from icmp where src = 'values' order by ts",
    );
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({
      ts: '2026-11-22T15:00:00.000000Z',
      src: 'values',
      src_loc: 'Frankfurt,DE',
      dst: '198.18.0.1',
      rtt_ms: 1,
      seq: 0,
      flow: 0,
    });
    expect(rows.map((r) => r.rtt_ms)).toEqual(probes.map((p) => p.rttMs));
    expect(rows.map((r) => r.flow)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    expect(rows[4]).toMatchObject({ ts: '2026-11-22T15:00:00.000004Z', rtt_ms: null });
    expect(await questdb.rows("select dst_loc, status, connect_ms, ok, error from http where src = 'values'")).toEqual([
      { dst_loc: 'Virginia,US', status: 503, connect_ms: 0.21, ok: false, error: 'http_503' },
    ]);
    expect(sink.stats()).toEqual({ delivered: 11, pending: 0, dropped: 0 });
    await sink.close();
  });

  it('resolves a batch receipt only once QuestDB acknowledged its rows, in the order written', async () => {
    const sink = await openSink(questdb, spoolDir(), { batchRows: 1000, flushIntervalMs: 60_000 });
    const all = icmpBatch(2500, { src: 'receipt' });
    const order: number[] = [];
    const receipts = [0, 1, 2, 3, 4].map((k) =>
      sink.write(sliceIcmpBatch(all, k * 500, (k + 1) * 500)).then(() => {
        order.push(k);
        return sink.stats().delivered;
      }),
    );
    // 2,000 rows fill two requests; the last 500 wait for the (long) flush interval.
    const deliveredAtReceipt = await Promise.all(receipts.slice(0, 4));
    deliveredAtReceipt.forEach((delivered, k) =>
      expect(delivered).toBeGreaterThanOrEqual(1000 * (Math.floor(k / 2) + 1)),
    );
    const fifth = await Promise.race([receipts[4]!, new Promise((r) => setTimeout(() => r('waiting'), 500))]);
    expect(fifth).toBe('waiting');
    await sink.flush();
    expect(await receipts[4]).toBe(2500);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    await sink.close();
  });

  it('drops only a batch it cannot encode (counted, named in a warning) and delivers the rest of its request', async () => {
    // Batches are encoded when their request is sent: a bad one shows up there, amid good ones.
    const sink = await openSink(questdb, spoolDir(), { batchRows: 1000 });
    const good = icmpBatch(300, { src: 'unencodable', startUs: Date.UTC(2026, 10, 23) * 1000 });
    const bad = { ...icmpBatch(20, { src: 'unencodable' }), seq: new Float64Array(20) as unknown as Uint32Array };
    const receipts = [
      sink.write(sliceIcmpBatch(good, 0, 150)),
      sink.write(bad),
      sink.write(sliceIcmpBatch(good, 150, 300)),
    ];
    await sink.flush();
    await Promise.all(receipts);
    expect(sink.stats()).toEqual({ delivered: 300, pending: 0, dropped: 20 });
    expect(warnings.join('\n')).toContain(
      'could not encode 20 icmp rows, dropped: encodeIcmpIlp: seq has the wrong type',
    );
    expect(await storedRows(questdb, 'icmp', 'unencodable')).toEqual({ rows: 300, repeated: [] });
    await sink.close();
  });

  it('spools through a QuestDB outage and then stores every result exactly once', async () => {
    const dir = spoolDir();
    const sink = await openSink(questdb, dir, { batchRows: 500 });
    const all = icmpBatch(6000, { src: 'outage' });
    const chunk = (i: number) => sliceIcmpBatch(all, i * 500, (i + 1) * 500);
    for (let i = 0; i < 4; i++) sink.write(chunk(i));
    await sink.flush();
    await questdb.stop();
    for (let i = 4; i < 10; i++) {
      // While QuestDB is down, a receipt means the rows are in an fsync'd spool segment.
      await sink.write(chunk(i));
      expect(segments(dir).reduce((n, f) => n + Number(/-(\d+)\.ilp$/.exec(f)![1]), 0)).toBe((i - 3) * 500);
    }
    await sink.flush();
    expect(sink.spoolStats()).toMatchObject({ available: false, rows: 3000 });
    await questdb.start();
    for (let i = 10; i < 12; i++) sink.write(chunk(i));
    await waitUntilDrained(sink);
    expect(sink.stats()).toEqual({ delivered: 6000, pending: 0, dropped: 0 });
    expect(await storedRows(questdb, 'icmp', 'outage')).toEqual({ rows: 6000, repeated: [] });
    expect(warnings.some((w) => w.includes('unavailable'))).toBe(true);
    expect(warnings.some((w) => w.includes('is back'))).toBe(true);
    await sink.close();
  });

  it('leaves undeliverable rows in the spool at close; a later sink replays them, a second replay adds nothing', async () => {
    const dir = spoolDir();
    await questdb.stop();
    const first = await openSink(questdb, dir);
    first.write(icmpBatch(300, { src: 'replay' }));
    first.write({ family: 'http', results: [httpResult({ src: 'replay' })] });
    await first.close();
    expect(segments(dir).length).toBeGreaterThan(0);
    // A copy stands for a crash between delivery and deletion: replaying it must not duplicate rows.
    const copy = spoolDir();
    for (const file of segments(dir)) cpSync(join(dir, file), join(copy, file));

    await questdb.start();
    const second = await openSink(questdb, dir);
    expect(warnings).toContain('replaying 301 rows spooled by an earlier run');
    await waitUntilDrained(second);
    await second.close();
    expect(segments(dir)).toEqual([]);
    expect(await storedRows(questdb, 'icmp', 'replay')).toEqual({ rows: 300, repeated: [] });

    const third = await openSink(questdb, copy);
    await waitUntilDrained(third);
    expect(third.stats()).toEqual({ delivered: 301, pending: 0, dropped: 0 });
    await third.close();
    expect(await storedRows(questdb, 'icmp', 'replay')).toEqual({ rows: 300, repeated: [] });
    expect(await storedRows(questdb, 'http', 'replay')).toEqual({ rows: 1, repeated: [] });
  });

  it('converts a spool left by the JSON-format version and delivers it', async () => {
    const dir = spoolDir();
    const legacy = [
      { family: 'icmp', results: icmpResults(20, { src: 'legacy' }).map(({ flow: _flow, ...old }) => old) },
      { family: 'http', results: [httpResult({ src: 'legacy' })] },
    ];
    writeFileSync(join(dir, '000000000007-21.ndjson'), legacy.map((b) => JSON.stringify(b)).join('\n') + '\n');
    const sink = await openSink(questdb, dir);
    expect(warnings).toContain('replaying 21 rows spooled by an earlier run');
    await waitUntilDrained(sink);
    await sink.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(await storedRows(questdb, 'icmp', 'legacy')).toEqual({ rows: 20, repeated: [] });
    expect(await storedRows(questdb, 'http', 'legacy')).toEqual({ rows: 1, repeated: [] });
  });
});

describe('QuestDbSink against a QuestDB that requires credentials (http.user / http.password)', () => {
  let questdb: LocalQuestDb;
  const right = { user: 'pingsphere', password: 'right-password' };

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch({ credentials: { user: 'pingsphere', password: 'another-password' } });
  });

  afterAll(async () => {
    await questdb?.dispose();
  });

  it('spools while QuestDB refuses the credentials and stores everything once they are accepted', async () => {
    const dir = spoolDir();
    const conf = `http::addr=127.0.0.1:${questdb.ports.http};username=${right.user};password=${right.password};`;
    const sink = await openSink(questdb, dir, { conf });
    const all = icmpBatch(1000, { src: 'auth' });
    await sink.write(sliceIcmpBatch(all, 0, 600));
    expect(warnings.some((w) => /refused our credentials/.test(w))).toBe(true);
    expect(sink.spoolStats()).toMatchObject({ available: false, rows: 600 });
    // Nothing reached QuestDB: not even the tables (ILP would have made them without DEDUP).
    expect(await questdb.rows("select table_name from tables() where table_name = 'icmp'")).toEqual([]);

    // The operator fixes QuestDB's side; the sink notices on its own.
    await questdb.stop();
    questdb.setCredentials(right);
    await questdb.start();
    sink.write(sliceIcmpBatch(all, 600, 1000));
    await waitUntilDrained(sink);
    expect(sink.stats()).toEqual({ delivered: 1000, pending: 0, dropped: 0 });
    expect(await storedRows(questdb, 'icmp', 'auth')).toEqual({ rows: 1000, repeated: [] });
    expect(await questdb.rows("select dedup from tables() where table_name = 'icmp'")).toEqual([{ dedup: true }]);
    expect(segments(dir)).toEqual([]);
    await sink.close();
  });
});

describe('QuestDbSink with rows QuestDB rejects', () => {
  let questdb: LocalQuestDb;

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
  });

  afterAll(async () => {
    await questdb?.dispose();
  });

  it('sets the rejected row aside with the error and delivers the rest of its batch', async () => {
    // An http table whose error column cannot hold a symbol: rows carrying an error are refused.
    await questdb.query(
      'create table http (ts timestamp, src symbol, dst symbol, error long, total_ms double) timestamp(ts) partition by day wal',
    );
    const dir = spoolDir();
    const sink = await openSink(questdb, dir);
    const base = httpResult().tsUs;
    const good = Array.from({ length: 7 }, (_, i) => httpResult({ tsUs: base + i }));
    const bad = httpResult({ tsUs: base + 100, ok: false, error: 'ECONNREFUSED' });
    sink.write({ family: 'http', results: [...good.slice(0, 3), bad, ...good.slice(3)] });
    await sink.flush();
    expect(sink.stats()).toEqual({ delivered: 7, pending: 0, dropped: 1 });
    const poison = readFileSync(join(dir, 'poison.ndjson'), 'utf8').trim().split('\n');
    expect(poison).toHaveLength(1);
    const entry = JSON.parse(poison[0]!) as { error: string; row: string };
    expect(entry.row).toMatch(/^http,.*,error=ECONNREFUSED .* 1795359600000100000\n$/);
    expect(entry.error).toMatch(/statusCode=400/);
    await questdb.waitUntilApplied(['http']);
    expect(await questdb.rows('select count() n from http')).toEqual([{ n: 7 }]);
    // The hand-made table also stops the roll-up view: reported, but ingestion went on.
    expect(warnings.some((w) => w.startsWith('schema:') && w.includes('http_1m'))).toBe(true);
    await sink.close();
  });
});
