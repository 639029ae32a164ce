// The provisioned alert rules, run against the real QuestDB over its PostgreSQL wire port (the path
// Grafana's PostgreSQL datasource takes). Grafana itself does not run here: this test expands
// $__timeFilter as Grafana's PostgreSQL datasource does and applies each rule's threshold to each
// returned row, as Grafana's threshold expression does with a table result (one instance per row,
// its text columns as labels). The data holds, for every rule, instances that must fire and
// instances that must not.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LocalQuestDb, repoRoot } from '@pingsphere/testbed';
import { QuestDbSink } from '../../collector/src/sinks/questdb/questdb-sink.js';
import type { HttpResult } from '../../collector/src/results/http-result.js';
import type { IcmpResult } from '../../collector/src/results/icmp-result.js';

interface Evaluator {
  type: 'gt' | 'lt' | 'outside_range' | 'within_range';
  params: number[];
}
interface AlertQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: {
    rawSql?: string;
    format?: string;
    type?: string;
    expression?: string;
    conditions?: { evaluator: Evaluator }[];
  };
}
interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rules = (
  parse(readFileSync(join(repoRoot, 'provisioning/alerting/pingsphere-rules.yaml'), 'utf8')) as {
    groups: { rules: AlertRule[] }[];
  }
).groups.flatMap((g) => g.rules);
const pgDatasourceUid = (
  parse(readFileSync(join(repoRoot, 'provisioning/datasources/questdb-postgres.yaml'), 'utf8')) as {
    datasources: { uid: string }[];
  }
).datasources[0]!.uid;

/** Grafana's PostgreSQL $__timeFilter(col): `col BETWEEN 'from' AND 'to'` in RFC 3339. */
function expandMacros(sql: string, range: { from: number; to: number }, nowMs: number): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return sql.replace(
    /\$__timeFilter\((\w+)\)/g,
    (_m, column: string) =>
      `${column} BETWEEN '${iso(nowMs - range.from * 1000)}' AND '${iso(nowMs - range.to * 1000)}'`,
  );
}

function fires(evaluator: Evaluator, value: number): boolean {
  const [a = 0, b = 0] = evaluator.params;
  switch (evaluator.type) {
    case 'gt':
      return value > a;
    case 'lt':
      return value < a;
    case 'outside_range':
      return value < a || value > b;
    case 'within_range':
      return value > a && value < b;
  }
}

const numericTypes = new Set([20, 21, 23, 700, 701, 1700]);

describe('provisioned alert rules on a real QuestDB; Grafana is not running: its $__timeFilter macro and threshold step are emulated', () => {
  let questdb: LocalQuestDb;
  let client: pg.Client;
  let spoolDir: string;
  const nowMs = Date.now();

  /** Runs one query of a rule: one instance per row, its text columns as labels, its number as value. */
  async function instancesOf(query: AlertQuery): Promise<Array<{ labels: Record<string, string>; value: number }>> {
    const result = await client.query(expandMacros(query.model.rawSql!, query.relativeTimeRange!, nowMs));
    const valueField = result.fields.find((f) => numericTypes.has(f.dataTypeID))!;
    return (result.rows as Record<string, unknown>[]).map((row) => ({
      labels: Object.fromEntries(
        result.fields.filter((f) => f !== valueField).map((f) => [f.name, String(row[f.name])]),
      ),
      value: Number(row[valueField.name]),
    }));
  }

  /** Runs one rule as Grafana would (emulated: macros and threshold step): its instances and which fire. */
  async function evaluate(
    rule: AlertRule,
  ): Promise<{ instances: Record<string, string>[]; firing: Record<string, string>[] }> {
    const condition = rule.data.find((d) => d.refId === rule.condition)!;
    const evaluator = condition.model.conditions![0]!.evaluator;
    const rows = await instancesOf(rule.data.find((d) => d.refId === condition.model.expression)!);
    return {
      instances: rows.map((r) => r.labels),
      firing: rows.filter((r) => fires(evaluator, r.value)).map((r) => r.labels),
    };
  }

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    spoolDir = mkdtempSync(join(tmpdir(), 'alert-rules-spool-'));
    // The collector's own sink writes the fixtures, so the tables are exactly the product's.
    const sink = await QuestDbSink.open({ conf: questdb.clientConf, spoolDir, flushIntervalMs: 50, warn: () => {} });
    const http: HttpResult[] = [];
    const pair = (
      srcLoc: string,
      dstLoc: string,
      connectMs: (i: number) => number,
      fail: (i: number) => boolean,
      ageS = 0,
    ) => {
      for (let i = 0; i < 28; i++) {
        const failed = fail(i);
        const dstHost = dstLoc.split(',')[0]!.toLowerCase();
        http.push({
          tsUs: (nowMs - ageS * 1000 - (i * 10 + 5) * 1000) * 1000,
          src: srcLoc.split(',')[0]!.toLowerCase(),
          srcLoc,
          dst: `http://${dstHost}:8080/v1/ping`,
          dstHost,
          dstIp: '198.18.0.9',
          dstLoc,
          status: failed ? 0 : 200,
          dnsMs: 0,
          connectMs: failed ? 0 : connectMs(i),
          tlsMs: 0,
          ttfbMs: 1,
          closeMs: 0.1,
          totalMs: failed ? 10_000 : connectMs(i) * 2,
          sizeBytes: failed ? 0 : 93,
          ok: !failed,
          error: failed ? 'ECONNREFUSED' : '',
        });
      }
    };
    const never = () => false;
    pair('Frankfurt,DE', 'Virginia,US', (i) => 90 + (i % 3), never);
    pair('Virginia,US', 'Frankfurt,DE', (i) => 91 + (i % 3), never);
    pair('Frankfurt,DE', 'Singapore,SG', (i) => 170 + (i % 5), never); // slow, and 30 ms slower than the reverse
    pair('Singapore,SG', 'Frankfurt,DE', (i) => 140 + (i % 5), never);
    pair(
      'Virginia,US',
      'Singapore,SG',
      (i) => 120 + (i % 4),
      (i) => i % 9 === 0,
    ); // 4 of 28 fail
    pair('Singapore,SG', 'Virginia,US', (i) => 119 + (i % 4), never);
    // Outside every rule's window: would fire RTT and loss if the time filter were missing.
    pair(
      'Frankfurt,DE',
      'Virginia,US',
      () => 900,
      (i) => i % 2 === 0,
      1200,
    );
    // A collector last heard of ten minutes ago.
    pair('Sydney,AU', 'Frankfurt,DE', () => 250, never, 600);

    const icmp: IcmpResult[] = [];
    const sweep = (src: string, srcLoc: string, lostEvery: number) => {
      for (let i = 0; i < 100; i++) {
        icmp.push({
          tsUs: (nowMs - 60_000) * 1000 + i,
          src,
          srcLoc,
          dst: `198.18.1.${i + 1}`,
          seq: 0,
          rttMs: i % lostEvery === 0 ? null : 20 + (i % 7),
        });
      }
    };
    sweep('frankfurt', 'Frankfurt,DE', 50); // 2 % lost
    sweep('singapore', 'Singapore,SG', 10); // 10 % lost
    sink.write({ family: 'http', results: http });
    sink.write({ family: 'icmp', results: icmp });
    await sink.close();
    // A wait that runs out fails the setup (and so every test) instead of testing half the rows.
    expect(await questdb.waitForCount('select count() from http', http.length)).toBe(http.length);
    expect(await questdb.waitForCount('select count() from icmp', icmp.length)).toBe(icmp.length);
    client = new pg.Client(questdb.pgConfig);
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await questdb?.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('are complete rules an SRE can route: PostgreSQL datasource, a threshold condition, labels and a summary', () => {
    expect(rules.map((r) => r.uid)).toEqual([
      'pingsphere-http-rtt-p99',
      'pingsphere-http-loss',
      'pingsphere-icmp-loss',
      'pingsphere-collector-silent',
      'pingsphere-asymmetry',
    ]);
    for (const rule of rules) {
      const query = rule.data.find((d) => d.refId === 'A');
      for (const q of rule.data.filter((d) => d.model.rawSql)) {
        expect(q.datasourceUid).toBe(pgDatasourceUid);
        expect(q.model.format).toBe('table');
      }
      const condition = rule.data.find((d) => d.refId === rule.condition);
      expect(condition?.model).toMatchObject({ type: 'threshold', expression: query!.refId });
      expect(rule.for).toMatch(/^\d+m$/);
      expect(rule.labels).toMatchObject({ team: 'network', service: 'pingsphere' });
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toContain('{{');
      expect(rule.annotations.description?.length).toBeGreaterThan(40);
      // What the notification template prints for every alert.
      for (const key of ['pair', 'value', 'reverse']) expect(rule.annotations[key], `${rule.uid} ${key}`).toBeTruthy();
    }
  });

  const byUid = (uid: string) => rules.find((r) => r.uid === uid)!;

  /** Exact p99 (nearest rank) of the connect times the test wrote for one direction. */
  const writtenP99 = (base: number, spread: number) => {
    const values = Array.from({ length: 28 }, (_, i) => base + (i % spread)).sort((a, b) => a - b);
    return values[Math.ceil(0.99 * values.length) - 1]!;
  };

  it('RTT p99 fires for the slow pair only (emulated threshold step), with the reverse direction in query B', async () => {
    const rule = byUid('pingsphere-http-rtt-p99');
    const { instances, firing } = await evaluate(rule);
    expect(instances).toHaveLength(6);
    expect(firing).toEqual([{ src: 'frankfurt', dst: 'singapore' }]);
    // B, keyed like A's instance, holds singapore → frankfurt: connect times 140…144 ms.
    const reverse = (await instancesOf(rule.data.find((d) => d.refId === 'B')!)).find(
      (i) => i.labels.src === 'frankfurt' && i.labels.dst === 'singapore',
    );
    expect(reverse?.value).toBeCloseTo(writtenP99(140, 5), 0); // approx_percentile keeps 3 significant digits
    const forward = (await instancesOf(rule.data.find((d) => d.refId === 'A')!)).find(
      (i) => i.labels.src === 'frankfurt' && i.labels.dst === 'singapore',
    );
    expect(forward?.value).toBeCloseTo(writtenP99(170, 5), 0);
  });

  it('HTTP loss fires for the lossy pair only (emulated threshold step), the reverse direction’s loss in query B', async () => {
    const rule = byUid('pingsphere-http-loss');
    const { instances, firing } = await evaluate(rule);
    expect(instances).toHaveLength(6);
    expect(firing).toEqual([{ src: 'virginia', dst: 'singapore' }]);
    const b = await instancesOf(rule.data.find((d) => d.refId === 'B')!);
    expect(b.find((i) => i.labels.src === 'virginia' && i.labels.dst === 'singapore')?.value).toBe(0);
    expect(b.find((i) => i.labels.src === 'singapore' && i.labels.dst === 'virginia')?.value).toBeCloseTo(
      (4 / 28) * 100,
      6,
    );
  });

  it('ICMP loss fires for the collector that loses 10 % and not for the one that loses 2 % (emulated threshold step)', async () => {
    const { instances, firing } = await evaluate(byUid('pingsphere-icmp-loss'));
    expect(instances).toHaveLength(2);
    expect(firing).toEqual([{ src: 'singapore', src_loc: 'Singapore,SG' }]);
  });

  it('collector silent fires for the collector last heard of ten minutes ago only (emulated macros and threshold step)', async () => {
    const { instances, firing } = await evaluate(byUid('pingsphere-collector-silent'));
    expect(instances.map((i) => i.src).sort()).toEqual(['frankfurt', 'singapore', 'sydney', 'virginia']);
    expect(firing).toEqual([{ src: 'sydney' }]);
  });

  it('asymmetry fires for the pair whose directions differ by 30 ms, not for the balanced pairs (emulated threshold step)', async () => {
    const { instances, firing } = await evaluate(byUid('pingsphere-asymmetry'));
    expect(instances).toHaveLength(3);
    expect(firing).toEqual([{ src: 'frankfurt', dst: 'singapore' }]);
  });
});
