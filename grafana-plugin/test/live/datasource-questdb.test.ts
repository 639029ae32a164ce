// The datasource's logic against a REAL QuestDB filled by a real collector run (see
// test/helpers/live-mesh.ts). Grafana itself is not running here: the datasource class is built
// with a plain fetch client and a pass-through variable replacer, the two things Grafana's
// runtime would otherwise provide (its data proxy and template service).
import { dateTime, FieldType, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@pingsphere/testbed';
import { PingSphereDataSource, type VariableReplacer } from '../../src/datasource/datasource';
import { FetchQuestDbClient } from '../../src/datasource/questdb-client';
import { PingSphereQueryRunner, type HealthReport } from '../../src/datasource/query-runner';
import type { QueryContext } from '../../src/datasource/sql';
import type { PingSphereOptions, PingSphereQuery } from '../../src/datasource/types';
import { meshCollectors, startLiveMesh, type LiveMesh } from '../helpers/live-mesh';

let mesh: LiveMesh;
let runner: PingSphereQueryRunner;
let bareHealth: HealthReport;

beforeAll(async () => {
  mesh = await startLiveMesh(8_000, async (questdb) => {
    bareHealth = await new PingSphereQueryRunner(new FetchQuestDbClient(questdb.httpUrl)).health();
  });
  runner = new PingSphereQueryRunner(new FetchQuestDbClient(mesh.questdb.httpUrl));
}, 180_000);

afterAll(async () => {
  await mesh?.dispose();
});

/** The whole collector run, in whole minutes (so raw rows and per-minute roll-ups cover the same data). */
function context(overrides: Partial<QueryContext> = {}): QueryContext {
  return {
    fromMs: Math.floor(mesh.fromMs / 60_000) * 60_000,
    toMs: Math.ceil(mesh.toMs / 60_000) * 60_000 + 60_000,
    intervalMs: 1_000,
    timeZone: 'UTC',
    rollupMinRangeHours: 6,
    ...overrides,
  };
}

function query(patch: Partial<PingSphereQuery>): PingSphereQuery {
  return { refId: 'A', family: 'icmp', stat: 'p50', groupBy: ['src', 'dst'], format: 'table', source: 'raw', ...patch };
}

function rows(frame: { fields: Array<{ name: string; values: unknown[] }>; length: number }) {
  return Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]])),
  );
}

const names = meshCollectors.map((c) => c.name);
const locationOf = Object.fromEntries(meshCollectors.map((c) => [c.name, c.location]));

describe('health check', () => {
  it('says the tables are missing on a QuestDB no collector has written to', () => {
    expect(bareHealth.status).toBe('error');
    expect(bareHealth.message).toMatch(/tables \(icmp, http\) are missing: run a collector with/);
  });

  it('says QuestDB is unreachable when nothing listens at the URL', async () => {
    const port = await freeLoopbackPort();
    const report = await new PingSphereQueryRunner(new FetchQuestDbClient(`http://127.0.0.1:${port}`, 5_000)).health();
    expect(report.status).toBe('error');
    expect(report.message).toMatch(/^QuestDB is unreachable: cannot reach QuestDB at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('reports rows and collectors once the mesh has written', async () => {
    const report = await runner.health();
    expect(report.status).toBe('success');
    expect(report.message).toMatch(/icmp: \d+ rows from 3 collectors; http: \d+ rows from 3 collectors/);
  });
});

describe('queries over the real collector run', () => {
  it('returns a table of every ICMP pair with both locations (dst_loc joined from the collectors)', async () => {
    const [frame] = await runner.run(query({ groupBy: ['src', 'dst', 'src_loc', 'dst_loc'] }), context());
    const table = rows(frame!);
    expect(table).toHaveLength(9); // three collectors sweep all three addresses (themselves included)
    for (const row of table) {
      expect(names).toContain(row.src);
      expect(row.src_loc).toBe(locationOf[row.src as string]);
      expect(row.dst_loc).toBe(locationOf[row.dst as string]);
      expect(row.value as number).toBeGreaterThan(0);
      expect(row.value as number).toBeLessThan(50);
      expect(row.loss_pct).toBe(0);
      expect(row.samples as number).toBeGreaterThan(3);
    }
    expect(frame!.fields.find((f) => f.name === 'value')!.config.unit).toBe('ms');
  });

  it('counts every probe of every mesh pair, as QuestDB counts them', async () => {
    const [frame] = await runner.run(query({ stat: 'samples' }), context());
    const direct = await mesh.questdb.rows('select src, dst, count() n from icmp group by src, dst');
    const expected = Object.fromEntries(direct.map((r) => [`${r.src}>${r.dst}`, r.n]));
    for (const row of rows(frame!)) expect(row.value).toBe(expected[`${row.src}>${row.dst}`]);
  });

  it('gives HTTP peers by host, so the mesh pairs up with the collectors (TCP connect p50)', async () => {
    const [frame] = await runner.run(
      query({ family: 'http', phase: 'connect', groupBy: ['src', 'dst', 'src_loc', 'dst_loc'] }),
      context(),
    );
    const table = rows(frame!);
    expect(table.length).toBe(6); // every collector pings the two others
    for (const row of table) {
      expect(names).toContain(row.dst);
      expect(row.dst).not.toBe(row.src);
      expect(row.dst_loc).toBe(locationOf[row.dst as string]); // learned from /v1/ping
      expect(row.value as number).toBeGreaterThan(0);
    }
  });

  it('returns one time-series frame per pair, in time order, with labels', async () => {
    const frames = await runner.run(query({ format: 'time_series', stat: 'avg' }), context({ intervalMs: 1_000 }));
    expect(frames).toHaveLength(9);
    for (const frame of frames) {
      const [time, value] = frame.fields;
      expect(time!.type).toBe(FieldType.time);
      expect(value!.labels).toMatchObject({ src: expect.any(String), dst: expect.any(String) });
      const times = time!.values as number[];
      expect(times.length).toBeGreaterThan(2);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000); // 1 s buckets
    }
  });

  it('reads the per-minute roll-up for a long range and gets the same averages as the raw rows', async () => {
    const long = context({ rollupMinRangeHours: 0, intervalMs: 60_000 });
    const viaRollup = await runner.run(query({ stat: 'avg', source: 'auto' }), long);
    expect(viaRollup[0]!.meta?.executedQueryString).toMatch(/FROM icmp_1m /);
    const raw = await runner.run(query({ stat: 'avg', source: 'raw' }), long);
    expect(raw[0]!.meta?.executedQueryString).toMatch(/FROM icmp /);
    const byPair = (f: typeof raw) => Object.fromEntries(rows(f[0]!).map((r) => [`${r.src}>${r.dst}`, r]));
    const [a, b] = [byPair(viaRollup), byPair(raw)];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const key of Object.keys(a)) {
      expect(a[key]!.value as number).toBeCloseTo(b[key]!.value as number, 6);
      expect(a[key]!.samples).toBe(b[key]!.samples);
    }
  });

  it('reports a statistic the roll-up cannot give exactly as a query error naming the fix', async () => {
    await expect(runner.run(query({ stat: 'p99', source: 'rollup' }), context())).rejects.toThrow(
      /roll-up cannot give p99 exactly: set the query's source to "raw" or "auto"/,
    );
  });

  it('lists collectors and locations for template variables', async () => {
    expect(await runner.variableValues({ family: 'icmp', dimension: 'src' })).toEqual(names);
    expect(await runner.variableValues({ family: 'http', dimension: 'dst_loc' })).toEqual(
      meshCollectors.map((c) => c.location).sort(),
    );
  });
});

describe('the Grafana datasource class; Grafana itself is not running: a fetch client stands in for its data proxy', () => {
  function datasource(replace: VariableReplacer['replace']) {
    const settings = {
      id: 1,
      uid: 'pingsphere',
      type: 'pingsphere-datasource',
      name: 'PingSphere',
      url: mesh.questdb.httpUrl,
      jsonData: {},
      meta: {},
      readOnly: false,
      access: 'proxy',
    } as unknown as DataSourceInstanceSettings<PingSphereOptions>;
    return new PingSphereDataSource(settings, new FetchQuestDbClient(mesh.questdb.httpUrl), { replace });
  }

  function request(targets: PingSphereQuery[]): DataQueryRequest<PingSphereQuery> {
    const c = context();
    return {
      targets,
      range: { from: dateTime(c.fromMs), to: dateTime(c.toMs), raw: { from: 'now-1h', to: 'now' } },
      intervalMs: 1_000,
      interval: '1s',
      timezone: 'utc',
      scopedVars: {},
      requestId: 'test',
      app: 'dashboard',
      startTime: Date.now(),
    } as unknown as DataQueryRequest<PingSphereQuery>;
  }

  it('expands a multi-value template variable into several filter values', async () => {
    // What Grafana's template service does for $collector = {127.0.0.1, 127.0.0.2}.
    const ds = datasource((text, _vars, format) =>
      text === '$collector' && typeof format === 'function' ? format(['127.0.0.1', '127.0.0.2']) : (text ?? ''),
    );
    const response = await ds.query(request([query({ filters: { src: ['$collector'] } })]));
    expect(response.errors).toBeUndefined();
    const sources = new Set(rows(response.data[0]).map((r) => r.src));
    expect([...sources].sort()).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('returns a bad query as an error on its refId, not as an exception', async () => {
    const ds = datasource((text) => text ?? '');
    const response = await ds.query(request([query({ refId: 'B', format: 'time_series', interval: 'often' })]));
    expect(response.data).toEqual([]);
    expect(response.errors?.[0]).toMatchObject({ refId: 'B', message: expect.stringMatching(/interval "often"/) });
  });

  it('passes the health check through testDatasource', async () => {
    await expect(datasource((t) => t ?? '').testDatasource()).resolves.toMatchObject({ status: 'success' });
  });
});

// Runs last: it adds rows of its own (outside the run's range) to the shared QuestDB.
describe('statistics against an independent calculation', () => {
  it('gives p50, p99, avg, min, max, loss and samples equal to a calculation from rows the test wrote itself', async () => {
    // 220 probes stat-a → stat-b two hours before the collector run (so no other test sees them): RTTs 5, 5.5, … 104.5 ms in a scrambled order,
    // and 20 probes without a reply. The expected numbers are computed here from those rows.
    const at = Math.floor(mesh.fromMs / 60_000) * 60_000 - 2 * 3_600_000;
    const rtts = Array.from({ length: 200 }, (_, i) => 5 + ((i * 37) % 200) * 0.5);
    const probes = [...rtts, ...Array<null>(20).fill(null)];
    const values = probes
      .map((rtt, i) => `('${new Date(at + i).toISOString()}', 'stat-a', 'Oslo,NO', 'stat-b', ${i}, ${rtt ?? 'null'})`)
      .join(', ');
    await mesh.questdb.query(`insert into icmp (ts, src, src_loc, dst, seq, rtt_ms) values ${values}`);
    expect(await mesh.questdb.waitForCount("select count() from icmp where src = 'stat-a'", probes.length)).toBe(
      probes.length,
    );
    const sorted = [...rtts].sort((a, b) => a - b);
    /** Nearest-rank percentile, and the neighbouring ranks (approx_percentile keeps 3 significant digits). */
    const rank = (p: number) => Math.ceil(p * sorted.length) - 1;
    const expected = {
      avg: rtts.reduce((a, b) => a + b, 0) / rtts.length,
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      loss_pct: (100 * 20) / 220,
      samples: 220,
    };
    const statOf = async (stat: PingSphereQuery['stat']) => {
      const [frame] = await runner.run(
        query({ stat, filters: { src: ['stat-a'] } }),
        context({ fromMs: at, toMs: at + 60_000 }),
      );
      const table = rows(frame!);
      expect(table).toHaveLength(1);
      return table[0]!.value as number;
    };
    for (const [stat, want] of Object.entries(expected)) {
      expect(await statOf(stat as PingSphereQuery['stat']), stat).toBeCloseTo(want, 6);
    }
    for (const [stat, p] of [
      ['p50', 0.5],
      ['p99', 0.99],
    ] as const) {
      const got = await statOf(stat);
      const [low, high] = [sorted[rank(p) - 1]!, sorted[rank(p) + 1]!];
      expect(got, `${stat}: exact ${sorted[rank(p)]}`).toBeGreaterThanOrEqual(low * 0.999);
      expect(got, `${stat}: exact ${sorted[rank(p)]}`).toBeLessThanOrEqual(high * 1.001);
    }
  });
});
