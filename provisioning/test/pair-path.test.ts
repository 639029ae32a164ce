// The Pair detail dashboard's path views: the latest-path table and the path annotations, run for
// real against QuestDB over its PostgreSQL wire port (Grafana's PostgreSQL datasource path), with
// $src/$dst and $__timeFilter replaced as Grafana does. The rows are traces made by the collector's
// PathHistory (the slow hop and path-change flags it computes) and written by the collector's
// QuestDB sink. Grafana itself does not run here: the field config is checked for the Grafana
// idioms that highlight the hop (value mapping + colour-background cell applied to the row).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb, repoRoot } from '@pingsphere/testbed';
import { QuestDbSink } from '../../collector/src/sinks/questdb/questdb-sink.js';
import { PathHistory } from '../../collector/src/trace/path-history.js';
import type { PathRecord, TraceReason } from '../../collector/src/results/path-record.js';
import type { TraceResult } from '../../collector/src/trace/trace-types.js';
import { traceOf } from '../../collector/test/fixtures/traces.js';

interface Target {
  refId: string;
  rawSql: string;
}
interface Override {
  matcher: { id: string; options: string };
  properties: { id: string; value: unknown }[];
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
  fieldConfig: { overrides: Override[] };
}
interface Dashboard {
  panels: Panel[];
  annotations: { list: { name: string; enable: boolean; datasource: { uid: string }; target: Target }[] };
}

const dashboard = JSON.parse(
  readFileSync(join(repoRoot, 'provisioning/dashboards/pair-detail.json'), 'utf8'),
) as Dashboard;
const pathPanel = dashboard.panels.find((p) => p.title === 'Latest path $src → $dst')!;
const nowMs = Date.now();
const minute = 60_000;
// QuestDB's TIMESTAMP is UTC; node-postgres would read a zone-less timestamp as local time.
pg.types.setTypeParser(1114, (text) => new Date(`${text.replace(' ', 'T')}Z`));

/** Grafana's replacement of the pair's variables and the PostgreSQL datasource's $__timeFilter (the last 24 h). */
function interpolate(sql: string): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  return sql
    .replaceAll('$src', 'fra')
    .replaceAll('$dst', 'virginia')
    .replace(
      /\$__timeFilter\((\w+)\)/g,
      (_m, column: string) => `${column} BETWEEN '${iso(nowMs - 24 * 60 * minute)}' AND '${iso(nowMs)}'`,
    );
}

/** A trace answered by `routers` then the target, hop i with average RTT rtts[i] (min/max ± 0.25 ms). */
function trace(target: string, atMs: number, routers: string[], rtts: number[]): TraceResult {
  return traceOf(target, [...routers, target], rtts, { startedAtUs: atMs * 1000, spreadMs: 0.25 });
}

describe('Pair detail: latest path and path annotations', () => {
  let questdb: LocalQuestDb;
  let spoolDir: string;
  let client: pg.Client;
  const history = new PathHistory();
  const rows: PathRecord[] = [];
  const add = (src: string, dst: string, reason: TraceReason, t: TraceResult) =>
    rows.push(...history.records(t, { src, srcLoc: '', dst, reason }));
  const v = '198.18.0.2';
  // fra → virginia: a trace before the range; then the usual path; the same path 40 ms slower at
  // hop 2 (a change trace); then a new route whose third hop adds 10 ms (a path change).
  add('fra', 'virginia', 'scheduled', trace(v, nowMs - 30 * 60 * minute, ['10.0.9.1'], [5, 6]));
  add('fra', 'virginia', 'scheduled', trace(v, nowMs - 30 * minute, ['10.0.0.1', '10.0.1.1'], [1, 2, 3]));
  add('fra', 'virginia', 'change', trace(v, nowMs - 20 * minute, ['10.0.0.1', '10.0.1.1'], [1, 42, 43]));
  add(
    'fra',
    'virginia',
    'scheduled',
    trace(v, nowMs - 10 * minute, ['10.0.0.1', '10.0.2.1', '10.0.3.1'], [1, 2, 12, 12.5]),
  );
  // Other pairs, newer: neither may show.
  add('fra', 'singapore', 'loss', trace('198.18.0.3', nowMs - 5 * minute, ['10.0.0.1', '10.7.0.1'], [1, 90, 91]));
  add('virginia', 'fra', 'change', trace('198.18.0.1', nowMs - 2 * minute, ['10.1.0.1'], [1, 50]));

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    spoolDir = mkdtempSync(join(tmpdir(), 'pair-path-spool-'));
    const sink = await QuestDbSink.open({ conf: questdb.clientConf, spoolDir, flushIntervalMs: 50, warn: () => {} });
    sink.write({ family: 'path', results: rows });
    await sink.close();
    expect(await questdb.waitForCount('select count() from path', rows.length)).toBe(rows.length);
    client = new pg.Client(questdb.pgConfig);
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await questdb?.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('stores each hop once, with the flags the collector computed', async () => {
    const stored = await client.query<{
      hop: number;
      addr: string;
      slow_hop: boolean;
      path_change: boolean;
      reason: string;
    }>(
      "SELECT hop, addr, slow_hop, path_change, reason FROM path WHERE src = 'fra' AND dst = 'virginia' AND reason = 'change' ORDER BY hop",
    );
    expect(stored.rows).toEqual([
      { hop: 1, addr: '10.0.0.1', slow_hop: false, path_change: false, reason: 'change' },
      { hop: 2, addr: '10.0.1.1', slow_hop: true, path_change: false, reason: 'change' },
      { hop: 3, addr: v, slow_hop: false, path_change: false, reason: 'change' },
    ]);
  });

  it("shows the pair's newest trace in range, hop by hop, with the hop where latency is added marked", async () => {
    const result = await client.query(interpolate(pathPanel.targets[0]!.rawSql));
    expect(
      result.rows.map((r: Record<string, unknown>) => [
        r.hop,
        r.addr,
        r.rtt_avg,
        r.rtt_jump_ms,
        r.slow_hop,
        r.path_change,
      ]),
    ).toEqual([
      [1, '10.0.0.1', 1, 1, false, true],
      [2, '10.0.2.1', 2, 1, false, true],
      [3, '10.0.3.1', 12, 10, true, true],
      [4, v, 12.5, 0.5, false, true],
    ]);
    expect(result.rows[0]).toMatchObject({ rtt_min: 0.75, rtt_max: 1.25, loss: 0, reason: 'scheduled', flow: 0 });
  });

  it('highlights that row the Grafana way: a value mapping on slow_hop, its colour on the whole row', () => {
    const props = (field: string) =>
      Object.fromEntries(
        pathPanel.fieldConfig.overrides
          .filter((o) => o.matcher.id === 'byName' && o.matcher.options === field)
          .flatMap((o) => o.properties.map((p) => [p.id, p.value])),
      );
    expect(props('slow_hop')['custom.cellOptions']).toEqual({
      type: 'color-background',
      mode: 'basic',
      applyToRow: true,
    });
    expect(props('slow_hop').mappings).toEqual([
      {
        type: 'value',
        options: {
          true: { text: '◀ here', color: 'red', index: 0 },
          false: { text: ' ', color: 'transparent', index: 1 },
        },
      },
    ]);
    expect(props('rtt_jump_ms')).toMatchObject({ unit: 'ms', 'custom.cellOptions': { type: 'color-text' } });
    expect(props('loss').unit).toBe('percentunit');
    // Beside the RTT history, on its row.
    const rtt = dashboard.panels.find((p) => p.id === 1)!;
    expect(pathPanel.gridPos.y).toBe(rtt.gridPos.y);
    expect(pathPanel.gridPos.x).toBe(rtt.gridPos.x + rtt.gridPos.w);
    expect(pathPanel.gridPos.x + pathPanel.gridPos.w).toBe(24);
  });

  it('marks the path change and the degradation trace of the pair on the time series, nothing of other pairs', async () => {
    const byName = Object.fromEntries(dashboard.annotations.list.map((a) => [a.name, a]));
    expect(byName['Path changes']?.enable).toBe(true);
    expect(byName['Path changes']?.datasource.uid).toBe('pingsphere-questdb-pg');
    const changes = await client.query(interpolate(byName['Path changes']!.target.rawSql));
    // -30 min differs from the trace before the range (10.0.9.1), -10 min from -20 min (10.0.2.1 at hop 2).
    expect(changes.rows.map((r: Record<string, unknown>) => [(r.time as Date).getTime(), r.text, r.tags])).toEqual([
      [nowMs - 30 * minute, 'path to virginia changed (flow 0, scheduled trace)', 'path-change'],
      [nowMs - 10 * minute, 'path to virginia changed (flow 0, scheduled trace)', 'path-change'],
    ]);
    const degradations = await client.query(interpolate(byName['Degradation traces']!.target.rawSql));
    expect(degradations.rows.map((r: Record<string, unknown>) => [(r.time as Date).getTime(), r.text, r.tags])).toEqual(
      [[nowMs - 20 * minute, 'change trace: latency added at hop 2 (10.0.1.1, +41.0 ms)', 'change']],
    );
  });
});
