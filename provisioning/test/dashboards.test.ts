// @vitest-environment jsdom
// The provisioned dashboards and datasources. Grafana itself does not run here: each dashboard is
// checked against the plugin that ships (panel and datasource ids, the matrix's pair link), and
// every query in it is run for real — PingSphere queries through the plugin's own query runner
// (the SQL it would send through Grafana's data proxy), PostgreSQL ones over QuestDB's PG wire —
// against a QuestDB holding a small mesh written by the collector's sink, with the dashboard's
// template variables replaced as Grafana would.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LocalQuestDb, repoRoot } from '@pingsphere/testbed';
import { QuestDbSink } from '../../collector/src/sinks/questdb/questdb-sink.js';
import type { HttpResult } from '../../collector/src/results/http-result.js';
import { icmpBatchesOf } from '../../collector/src/icmp/icmp-batches.js';
import type { IcmpResult } from '../../collector/src/results/icmp-result.js';
import { FetchQuestDbClient } from '../../grafana-plugin/src/datasource/questdb-client';
import { PingSphereQueryRunner } from '../../grafana-plugin/src/datasource/query-runner';
import type { PingSphereQuery, PingSphereVariableQuery } from '../../grafana-plugin/src/datasource/types';
import { defaultPairLink } from '../../grafana-plugin/src/panels/matrix/types';

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  rawSql?: string;
  [key: string]: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  targets: Target[];
  options: Record<string, unknown>;
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  time: { from: string; to: string };
  templating: { list: { name: string; type: string; query: PingSphereVariableQuery; datasource: { uid: string } }[] };
}

const dashboardsDir = join(repoRoot, 'provisioning/dashboards');
const dashboards = readdirSync(dashboardsDir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard }));
const datasources = readdirSync(join(repoRoot, 'provisioning/datasources')).flatMap(
  (file) =>
    (
      parse(readFileSync(join(repoRoot, 'provisioning/datasources', file), 'utf8')) as {
        datasources: { uid: string; type: string; url: string }[];
      }
    ).datasources,
);

/** Every plugin id the built plugin ships, by plugin type, read from its plugin.json files. */
function pluginIds(): Map<string, string> {
  const ids = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name === 'plugin.json') {
        const json = JSON.parse(readFileSync(join(dir, entry.name), 'utf8')) as { id: string; type: string };
        ids.set(json.id, json.type);
      }
    }
  };
  walk(join(repoRoot, 'grafana-plugin/src'));
  return ids;
}

// Panels of Grafana itself that the dashboards use.
const grafanaPanels = new Set(['timeseries', 'table', 'stat', 'bargauge', 'text', 'row']);
/** The group of the ICMP targets' inventory (the dashboards' $group). */
const inventoryGroup = 'mesh-nodes';
const collectors = [
  { name: 'fra', location: 'Frankfurt,DE' },
  { name: 'virginia', location: 'Virginia,US' },
  { name: 'singapore', location: 'Singapore,SG' },
];

describe('provisioned dashboards and datasources', () => {
  let questdb: LocalQuestDb;
  let spoolDir: string;
  let runner: PingSphereQueryRunner;
  const nowMs = Date.now();

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    spoolDir = mkdtempSync(join(tmpdir(), 'dashboards-spool-'));
    const sink = await QuestDbSink.open({ conf: questdb.clientConf, spoolDir, flushIntervalMs: 50, warn: () => {} });
    // The ICMP targets (the collectors' addresses) as a labelled inventory, before the probes (the
    // group roll-ups join it when they refresh): the rows the collector's targets writer writes,
    // over ILP (its module reads the city table by file URL, which this jsdom environment lacks).
    const firstSeenUs = (nowMs - 3_600_000) * 1000;
    const inventory = collectors.flatMap((src) =>
      collectors.map(
        (c, j) =>
          `targets,src=${src.name},group=${inventoryGroup},group_key=${inventoryGroup},loc=${c.location.replace(',', '\\,')} ` +
          `target="198.18.0.${j + 1}",name="${c.name}-node",removed=f,last_seen=${nowMs * 1000}t ${firstSeenUs}`,
      ),
    );
    const wrote = await fetch(`${questdb.httpUrl}/write?precision=u`, {
      method: 'POST',
      body: inventory.join('\n') + '\n',
    });
    expect(wrote.status).toBe(204);
    expect(await questdb.waitForCount('select count() from targets', inventory.length)).toBe(inventory.length);
    // 40 minutes of a three-collector mesh: every pair every 30 s, and ICMP sweeps of each other.
    const http: HttpResult[] = [];
    const icmp: IcmpResult[] = [];
    for (let minute = 40; minute > 0; minute -= 0.5) {
      const tsUs = Math.round((nowMs - minute * 60_000) * 1000);
      for (const [i, from] of collectors.entries()) {
        for (const [j, to] of collectors.entries()) {
          if (i === j) continue;
          const connectMs = 20 + 30 * Math.abs(i - j) + (i > j ? 5 : 0);
          http.push({
            tsUs: tsUs + j,
            src: from.name,
            srcLoc: from.location,
            dst: `http://${to.name}:8080/v1/ping`,
            dstHost: to.name,
            dstIp: `198.18.0.${j + 1}`,
            dstLoc: to.location,
            status: 200,
            dnsMs: 0.4,
            connectMs,
            tlsMs: 0,
            ttfbMs: connectMs + 1,
            closeMs: 0.2,
            totalMs: 2 * connectMs + 2,
            sizeBytes: 90,
            ok: minute % 7 !== 0,
            error: minute % 7 !== 0 ? '' : 'timeout',
          });
          icmp.push({
            tsUs: tsUs + j,
            src: from.name,
            srcLoc: from.location,
            dst: `198.18.0.${j + 1}`,
            seq: 0,
            flow: 0,
            rttMs: connectMs,
          });
        }
      }
    }
    sink.write({ family: 'http', results: http });
    for (const batch of icmpBatchesOf(icmp)) sink.write(batch);
    await sink.close();
    expect(await questdb.waitForCount('select count() from http', http.length)).toBe(http.length);
    expect(await questdb.waitForCount('select count() from icmp', icmp.length)).toBe(icmp.length);
    runner = new PingSphereQueryRunner(new FetchQuestDbClient(questdb.httpUrl));
    // icmp_group_1m refreshes once per closed minute: wait for the first refresh of the mesh's minutes.
    const deadline = Date.now() + 90_000;
    while (Number((await questdb.query('select count() from icmp_group_1m')).dataset[0]![0]) === 0) {
      if (Date.now() > deadline) throw new Error('icmp_group_1m did not refresh within 90 s');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }, 180_000);

  afterAll(async () => {
    await questdb?.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('are the four dashboards of the demo, with unique uids, and Grafana home is the overview', () => {
    expect(dashboards.map((d) => d.dashboard.title).sort()).toEqual([
      'PingSphere ICMP targets',
      'PingSphere collector health',
      'PingSphere mesh overview',
      'PingSphere pair',
    ]);
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    const home = /GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: \/etc\/grafana\/provisioning\/dashboards\/(\S+)/.exec(
      compose,
    )?.[1];
    expect(dashboards.find((d) => d.file === home)?.dashboard.uid).toBe('pingsphere-overview');
  });

  it('use only panels and datasources that exist: the plugin ships the PingSphere ids, provisioning the datasources', () => {
    const ids = pluginIds();
    const uids = new Map(datasources.map((d) => [d.uid, d.type]));
    for (const { dashboard } of dashboards) {
      for (const panel of dashboard.panels) {
        const known = grafanaPanels.has(panel.type) || ids.get(panel.type) === 'panel';
        expect(known, `${dashboard.title} / ${panel.title}: panel type ${panel.type}`).toBe(true);
        for (const target of panel.targets) {
          expect(uids.get(target.datasource.uid), `${panel.title}: datasource ${target.datasource.uid}`).toBe(
            target.datasource.type,
          );
        }
      }
      for (const variable of dashboard.templating.list) expect(uids.has(variable.datasource.uid)).toBe(true);
    }
    expect(ids.get('pingsphere-datasource')).toBe('datasource');
  });

  it("point the datasources at the compose stack's QuestDB", () => {
    expect(datasources.find((d) => d.type === 'pingsphere-datasource')?.url).toBe('http://questdb:9000');
    expect(datasources.find((d) => d.type === 'grafana-postgresql-datasource')?.url).toBe('questdb:8812');
  });

  it("lead a matrix click to the pair dashboard: its default link's uid, slug and variables", () => {
    const link = defaultPairLink;
    const [, uid, slug] =
      /^\/d\/([^/]+)\/([^?]+)\?var-src=\$\{__data\.fields\.src\}&var-dst=\$\{__data\.fields\.dst\}/.exec(link) ?? [];
    const pair = dashboards.find((d) => d.dashboard.uid === uid)?.dashboard;
    expect(pair, `no provisioned dashboard for the matrix link ${link}`).toBeDefined();
    expect(pair!.title.toLowerCase().replaceAll(' ', '-')).toBe(slug);
    expect(pair!.templating.list.map((v) => v.name).sort()).toEqual(['dst', 'src']);
  });

  it('fill their template variables from QuestDB', async () => {
    for (const { dashboard } of dashboards) {
      for (const variable of dashboard.templating.list) {
        const query = { ...variable.query, ...(variable.query.group ? { group: inventoryGroup } : {}) };
        const values = await runner.variableValues(query);
        // Collectors, or the inventory's group and its targets (the collectors' addresses).
        const expected =
          variable.query.dimension === 'group'
            ? [inventoryGroup]
            : variable.query.dimension === 'target'
              ? collectors.map((_, j) => `198.18.0.${j + 1}`)
              : collectors.map((c) => c.name).sort();
        expect(values.sort(), `${dashboard.title}: $${variable.name}`).toEqual(expected);
      }
    }
  });

  describe.each(dashboards.map((d) => [d.dashboard.title, d.dashboard] as const))('%s', (_title, dashboard) => {
    // Grafana's replacement: $collector = All (every collector), the pair = fra → virginia.
    const variables: Record<string, string[]> = {
      collector: collectors.map((c) => c.name),
      src: ['fra'],
      dst: ['virginia'],
      group: [inventoryGroup],
      target: ['198.18.0.2'],
    };
    const interpolate = (value: unknown): unknown => {
      // A single-value field that is a variable ($group, $target): its value.
      if (typeof value === 'string') return value.startsWith('$') ? (variables[value.slice(1)]?.[0] ?? value) : value;
      if (Array.isArray(value)) {
        return value.flatMap((v) =>
          typeof v === 'string' && v.startsWith('$') ? (variables[v.slice(1)] ?? [v]) : [v],
        );
      }
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
      }
      return value;
    };
    const rangeMs = Number(/^now-(\d+)h$/.exec(dashboard.time.from)?.[1] ?? 1) * 3_600_000;

    it.each(dashboard.panels.map((p) => [p.title, p] as const))(
      'panel "%s" gets data from its queries',
      async (_t, panel) => {
        for (const target of panel.targets) {
          if (target.datasource.uid === 'pingsphere') {
            const query = interpolate(target) as PingSphereQuery;
            const frames = await runner.run(query, {
              fromMs: nowMs - rangeMs,
              toMs: nowMs,
              intervalMs: 60_000,
              timeZone: 'UTC',
              rollupMinRangeHours: 6,
            });
            const rows = frames.reduce((n, f) => n + f.length, 0);
            expect(rows, `${panel.title} / ${target.refId}`).toBeGreaterThan(0);
          } else {
            // The path panel reads traced paths, which this mesh has none of: pair-path.test.ts checks it.
            if (/\bFROM path\b/.test(target.rawSql!)) continue;
            const client = new pg.Client(questdb.pgConfig);
            await client.connect();
            try {
              const result = await client.query(target.rawSql!);
              expect(result.rows.length, `${panel.title} / ${target.refId}`).toBe(collectors.length);
            } finally {
              await client.end();
            }
          }
        }
      },
    );
  });
});
