// `npm run bench:views`: the ICMP views at inventory scale. For each size (100,000 and 1,000,000
// targets in 200 groups, three collectors, two sweeps: the inventory fixture, loaded into a fresh
// QuestDB through the collector's own targets writer), it times
//   query  — the group matrix's SQL (`ICMP by group`, from icmp_group_1m) over QuestDB's /exec,
//            beside the anchor: the per-target pairs query the ICMP matrix ran before (a row per
//            collector and target, raw icmp), the same range, in the same run;
//   render — the live page in headless Chromium: from the frames in hand to the frame after the
//            panels drew (the page's dataset.renderMs), for the group view and one group's targets;
//            and what the browser receives (rows, bytes of JSON).
// Prints a markdown table (medians) and writes it to bench/out/views.md; record it in bench/RESULTS.md.
//
//   npm run bench:views -- [--targets 100000,1000000] [--repeats 7]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, LocalQuestDb, median, repoRoot } from '@pingsphere/testbed';
import { fixtureGroup, loadFixture } from '../../collector/test/fixtures/inventory-fixture.js';
import { serveLivePage } from '../../grafana-plugin/harness/server.js';
import { buildGroupMatrixSql } from '../../grafana-plugin/src/datasource/inventory-sql.js';
import { buildSql, type QueryContext } from '../../grafana-plugin/src/datasource/sql.js';
import type { PingSphereQuery } from '../../grafana-plugin/src/datasource/types.js';

const { values } = parseArgs({
  options: { targets: { type: 'string', default: '100000,1000000' }, repeats: { type: 'string', default: '7' } },
});
const sizes = values.targets.split(',').map(Number);
const repeats = Number(values.repeats);
if (!(repeats >= 3) || sizes.some((n) => !(n >= 1000 && n <= 1_000_000))) {
  process.stderr.write('bench:views: --repeats must be at least 3 and --targets sizes from 1000 to 1000000\n');
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`[bench:views] ${line}\n`);
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Timed {
  ms: number;
  rows: number;
  bytes: number;
}

/** One statement over /exec: wall time on loopback, rows and bytes of the reply. */
async function exec(baseUrl: string, sql: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/exec?query=${encodeURIComponent(sql)}`, {
    signal: AbortSignal.timeout(300_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text) as { count?: number; error?: string };
  if (body.error) throw new Error(`QuestDB refused the benchmark's SQL: ${body.error}`);
  return { ms, rows: body.count ?? 0, bytes: text.length };
}

interface Row {
  targets: number;
  loadS: number;
  group: Timed;
  anchor: Timed | { failed: string };
  renderGroupsMs: number;
  pageQueryMs: number;
  renderTargetsMs: number;
  targetsCols: string;
  loadDuring: string;
}

const rows: Row[] = [];
const browser = await launchChromium();
try {
  for (const targets of sizes) {
    const questdb = await LocalQuestDb.launch({ maxHeap: '4g' });
    try {
      // Two sweeps ten minutes apart in an hour that closed at least an hour ago (roll-ups refreshed).
      const startMs = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000 + 10 * 60_000;
      const loadStarted = performance.now();
      await loadFixture({
        targets,
        groups: 200,
        conf: questdb.clientConf,
        startMs,
        sweeps: 2,
        everyMinutes: 10,
        log: say,
      });
      const loadS = (performance.now() - loadStarted) / 1000;
      say(`${targets} targets loaded in ${loadS.toFixed(0)} s`);
      const context: QueryContext = {
        fromMs: startMs - 60_000,
        toMs: startMs + 12 * 60_000,
        intervalMs: 60_000,
        timeZone: 'UTC',
        rollupMinRangeHours: 6,
      };
      const query: PingSphereQuery = { refId: 'A', family: 'icmp', stat: 'avg', groupBy: [], format: 'table' };
      const groupSql = buildGroupMatrixSql({ ...query, queryType: 'icmp_groups' }, context).sql;
      const anchorSql = buildSql({ ...query, groupBy: ['src', 'dst'], source: 'raw' }, context).sql;
      await exec(questdb.httpUrl, groupSql); // warm-up
      const groupRuns: Timed[] = [];
      for (let r = 0; r < repeats; r++) groupRuns.push(await exec(questdb.httpUrl, groupSql));
      const group = { ...groupRuns[0]!, ms: median(groupRuns.map((t) => t.ms)) };
      say(`group matrix query: ${fmt(group.ms)} ms, ${group.rows} rows`);
      // The anchor returns a row per (collector, target), hundreds of MB at a million: three runs
      // at 100 k, one at a million (it is the slow side either way).
      let anchor: Row['anchor'];
      try {
        const anchorRuns: Timed[] = [];
        for (let r = 0; r < (targets >= 1_000_000 ? 1 : 3); r++)
          anchorRuns.push(await exec(questdb.httpUrl, anchorSql));
        anchor = { ...anchorRuns[0]!, ms: median(anchorRuns.map((t) => t.ms)) };
        say(`anchor (per-target pairs) query: ${fmt(anchor.ms)} ms, ${anchor.rows} rows`);
      } catch (error) {
        anchor = { failed: (error as Error).message.slice(0, 80) };
        say(`anchor failed: ${anchor.failed}`);
      }
      // The live page, group view and one group's targets, in Chromium.
      const live = await serveLivePage({ questdbUrl: questdb.httpUrl });
      const minutes = Math.ceil((Date.now() - startMs) / 60_000) + 5;
      const renderOnce = async (hash: string) => {
        const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
        await page.goto(`${live.url}?family=icmp&stat=avg&minutes=${minutes}${hash}`);
        await page.waitForFunction(() => document.body.dataset.renderMs !== undefined, null, { timeout: 300_000 });
        const state = await page.evaluate(() => ({ ...document.body.dataset }));
        const label = await page.getAttribute('[data-testid="matrix-canvas"]', 'aria-label');
        await page.close();
        if (state.state !== 'ready') throw new Error(`the live page failed at ${targets} targets`);
        return { renderMs: Number(state.renderMs), queryMs: Number(state.queryMs), label: label ?? '' };
      };
      const groups: Array<Awaited<ReturnType<typeof renderOnce>>> = [];
      const drill: Array<Awaited<ReturnType<typeof renderOnce>>> = [];
      await renderOnce(''); // warm-up
      for (let r = 0; r < repeats; r++) groups.push(await renderOnce(''));
      for (let r = 0; r < repeats; r++) drill.push(await renderOnce(`#group=${fixtureGroup(7).name}`));
      await live.close();
      rows.push({
        targets,
        loadS,
        group,
        anchor,
        renderGroupsMs: median(groups.map((g) => g.renderMs)),
        pageQueryMs: median(groups.map((g) => g.queryMs)),
        renderTargetsMs: median(drill.map((g) => g.renderMs)),
        targetsCols: drill[0]!.label.replace('latency matrix ', ''),
        loadDuring: load(),
      });
      say(
        `render: groups ${fmt(rows.at(-1)!.renderGroupsMs)} ms, a group's targets ${fmt(rows.at(-1)!.renderTargetsMs)} ms`,
      );
    } finally {
      await questdb.dispose();
    }
  }
} finally {
  await browser.close();
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const lines = [
  `Run ${new Date().toISOString()} with \`npm run bench:views\` on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.versions.node},`,
  `headless Chromium ${browser.version()}; QuestDB with a 4 GB heap; 200 groups, 3 collectors, 2 sweeps; medians of ${repeats}. Load (1/5/15 min) after each size in the table.`,
  '',
  '| targets | fixture load | group matrix query (icmp_group_1m) | rows, JSON | anchor: per-target pairs query (raw icmp) | rows, JSON | anchor ÷ group | page: all queries | render: group matrix | render: one group’s targets | load |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map((r) => {
    const anchor =
      'failed' in r.anchor
        ? [`failed: ${r.anchor.failed}`, '', '']
        : [
            `${fmt(r.anchor.ms)} ms`,
            `${r.anchor.rows.toLocaleString('en-US')}, ${kb(r.anchor.bytes)}`,
            `${(r.anchor.ms / r.group.ms).toFixed(0)}×`,
          ];
    return `| ${r.targets.toLocaleString('en-US')} | ${r.loadS.toFixed(0)} s | ${fmt(r.group.ms)} ms | ${r.group.rows}, ${kb(r.group.bytes)} | ${anchor.join(' | ')} | ${fmt(r.pageQueryMs)} ms | ${fmt(r.renderGroupsMs)} ms | ${fmt(r.renderTargetsMs)} ms (${r.targetsCols}) | ${r.loadDuring} |`;
  }),
];
const outDir = join(repoRoot, 'bench/out');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'views.md'), lines.join('\n') + '\n');
process.stdout.write(`\n${lines.join('\n')}\n\n`);
say(`table written to ${join(outDir, 'views.md')}`);
