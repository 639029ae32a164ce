import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb } from '@pingsphere/testbed';
import { QuestDbSink } from '../../src/sinks/questdb/questdb-sink.js';
import { httpResult, icmpResults } from '../fixtures/results.js';

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

function openSink(questdb: LocalQuestDb, dir: string, extra: { batchRows?: number } = {}): Promise<QuestDbSink> {
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

  it('creates the tables of DESIGN.md (icmp.dst as VARCHAR): designated ts, SYMBOLs, daily partitions, WAL, dedup keys, roll-ups', async () => {
    const sink = await openSink(questdb, spoolDir());
    sink.write({ family: 'icmp', results: icmpResults(1, { src: 'schema' }) });
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

  it('stores ICMP and HTTP results with their values, a lost probe as a NULL rtt', async () => {
    const sink = await openSink(questdb, spoolDir());
    sink.write({ family: 'icmp', results: icmpResults(10, { src: 'values' }) });
    sink.write({ family: 'http', results: [httpResult({ src: 'values', status: 503, ok: false, error: 'http_503' })] });
    await sink.flush();
    expect(await questdb.waitForCount("select count() from icmp where src = 'values'", 10)).toBe(10);
    const rows = await questdb.rows(
      "select ts, src, src_loc, dst, rtt_ms, seq from icmp where src = 'values' order by ts",
    );
    expect(rows[0]).toEqual({
      ts: '2026-11-22T15:00:00.000000Z',
      src: 'values',
      src_loc: 'Frankfurt,DE',
      dst: '198.18.0.1',
      rtt_ms: 1,
      seq: 0,
    });
    expect(rows[4]).toMatchObject({ ts: '2026-11-22T15:00:00.000004Z', rtt_ms: null });
    expect(await questdb.waitForCount("select count() from http where src = 'values'", 1)).toBe(1);
    expect(await questdb.rows("select dst_loc, status, connect_ms, ok, error from http where src = 'values'")).toEqual([
      { dst_loc: 'Virginia,US', status: 503, connect_ms: 0.21, ok: false, error: 'http_503' },
    ]);
    expect(sink.stats()).toEqual({ delivered: 11, pending: 0, dropped: 0 });
    await sink.close();
  });

  it('spools through a QuestDB outage and then stores every result exactly once', async () => {
    const sink = await openSink(questdb, spoolDir(), { batchRows: 500 });
    const all = icmpResults(6000, { src: 'outage' });
    const chunks = Array.from({ length: 12 }, (_, i) => all.slice(i * 500, (i + 1) * 500));
    for (const chunk of chunks.slice(0, 4)) sink.write({ family: 'icmp', results: chunk });
    await sink.flush();
    await questdb.stop();
    for (const chunk of chunks.slice(4, 10)) {
      sink.write({ family: 'icmp', results: chunk });
      await new Promise((r) => setTimeout(r, 150));
    }
    await sink.flush();
    expect(sink.spoolStats()).toMatchObject({ available: false, rows: 3000 });
    await questdb.start();
    for (const chunk of chunks.slice(10)) sink.write({ family: 'icmp', results: chunk });
    await waitUntilDrained(sink);
    expect(sink.stats()).toEqual({ delivered: 6000, pending: 0, dropped: 0 });
    expect(await questdb.waitForCount("select count() from icmp where src = 'outage'", 6000)).toBe(6000);
    expect(
      await questdb.waitForCount("select count() from (select distinct ts, dst from icmp where src = 'outage')", 6000),
    ).toBe(6000);
    expect(warnings.some((w) => w.includes('unavailable'))).toBe(true);
    expect(warnings.some((w) => w.includes('is back'))).toBe(true);
    await sink.close();
  });

  it('leaves undeliverable rows in the spool at close; a later sink replays them, a second replay adds nothing', async () => {
    const dir = spoolDir();
    await questdb.stop();
    const first = await openSink(questdb, dir);
    first.write({ family: 'icmp', results: icmpResults(300, { src: 'replay' }) });
    first.write({ family: 'http', results: [httpResult({ src: 'replay' })] });
    await first.close();
    const segments = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
    expect(segments.length).toBeGreaterThan(0);
    // A copy stands for a crash between delivery and deletion: replaying it must not duplicate rows.
    const copy = spoolDir();
    for (const file of segments) cpSync(join(dir, file), join(copy, file));

    await questdb.start();
    const second = await openSink(questdb, dir);
    expect(warnings).toContain('replaying 301 rows spooled by an earlier run');
    await waitUntilDrained(second);
    await second.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
    expect(await questdb.waitForCount("select count() from icmp where src = 'replay'", 300)).toBe(300);

    const third = await openSink(questdb, copy);
    await waitUntilDrained(third);
    expect(third.stats()).toEqual({ delivered: 301, pending: 0, dropped: 0 });
    await third.close();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await questdb.waitForCount("select count() from icmp where src = 'replay'", 300)).toBe(300);
    expect(await questdb.waitForCount("select count() from http where src = 'replay'", 1)).toBe(1);
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
    const entry = JSON.parse(poison[0]!) as { error: string; batches: { results: { error: string }[] }[] };
    expect(entry.batches[0]!.results[0]!.error).toBe('ECONNREFUSED');
    expect(entry.error).toMatch(/statusCode=400/);
    expect(await questdb.waitForCount('select count() from http', 7)).toBe(7);
    // The hand-made table also stops the roll-up view: reported, but ingestion went on.
    expect(warnings.some((w) => w.startsWith('schema:') && w.includes('http_1m'))).toBe(true);
    await sink.close();
  });
});
