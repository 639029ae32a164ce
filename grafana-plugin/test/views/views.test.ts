// The inventory views at scale: a REAL QuestDB holding the 100,000-target, 200-group fixture
// (collector/test/fixtures/inventory-fixture.ts: the targets table written by the collector's own
// writer, ICMP rows over ILP, the roll-ups refreshed by QuestDB), read by the datasource's query
// types and drawn by the live page in headless Chromium. Grafana itself is not running: the page
// renders the plugin's panels with hand-built PanelProps. Every expected number is recomputed here
// from the fixture's deterministic model (fixtureRttMs) and grouped by hand; colours are Grafana's
// scheme ends written out (#73BF69 green, #F2495C red) and map positions come from Natural Earth
// 1's published polynomial, never from the panels' code. Screenshots: test-artifacts/screenshots/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, LocalQuestDb, screenshotPath } from '@pingsphere/testbed';
import {
  fixtureAddress,
  fixtureGroup,
  fixtureRttMs,
  fixtureSources,
  loadFixture,
} from '../../../collector/test/fixtures/inventory-fixture.js';
import { serveLivePage, type LivePage } from '../../harness/server';
import { buildInventorySql } from '../../src/datasource/inventory-sql';
import { FetchQuestDbClient } from '../../src/datasource/questdb-client';
import { buildSql, type QueryContext } from '../../src/datasource/sql';
import type { PingSphereQuery } from '../../src/datasource/types';

const shape = { targets: 100_000, groups: 200 };
const sweeps = 2;
const everyMinutes = 10;
// Two sweeps in an hour that closed at least an hour ago: every roll-up period is closed.
const startMs = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000 + 10 * 60_000;
const lastSweepMs = startMs + (sweeps - 1) * everyMinutes * 60_000;

/** The view's group of target i, written out from the fixture's rules (not its code). */
function groupKey(i: number): string {
  if (i % 10_000 === 9_999) return `${fixtureAddress(i).split('.').slice(0, 3).join('.')}.0/24`;
  const { name, city } = fixtureGroup(i % shape.groups);
  return i % 100 === 99 ? city.loc : name;
}

/** Target i of a fixture address (198.18.0.0 + i; this size stays inside 198.18.0.0/15). */
function indexOf(address: string): number {
  const [, b, c, d] = address.split('.').map(Number);
  return (b! - 18) * 65_536 + c! * 256 + d!;
}

/** The loader's time stamp of target i in a sweep (spread over the sweep's first 10 s). */
const probeMs = (sweepMs: number, i: number) => (sweepMs * 1000 + Math.floor((i / shape.targets) * 10_000_000)) / 1000;

interface Cell {
  probes: number;
  replies: number;
  sum: number;
  targets: number;
  downInLastSweep: number;
}

/** Per (source, group), by hand: probes, replies, RTT sum, targets and targets down in the last sweep. */
const cells = new Map<string, Cell>();
/** Per (source, group): targets that never answered in either sweep. */
const neverAnsweredOf = new Map<string, number>();
/** Per (source, target): average RTT over the sweeps (null when it never answered). */
const targetAverages: Array<Array<number | null>> = fixtureSources.map(() => []);

function computeTruth(): void {
  fixtureSources.forEach((source, s) => {
    for (let i = 0; i < shape.targets; i++) {
      const key = `${source.src}|${groupKey(i)}`;
      const cell = cells.get(key) ?? { probes: 0, replies: 0, sum: 0, targets: 0, downInLastSweep: 0 };
      cells.set(key, cell);
      cell.targets++;
      let sum = 0;
      let replies = 0;
      for (let sweep = 0; sweep < sweeps; sweep++) {
        const sweepMs = startMs + sweep * everyMinutes * 60_000;
        const rtt = fixtureRttMs(shape, s, i, probeMs(sweepMs, i));
        cell.probes++;
        if (rtt === null) {
          if (sweepMs === lastSweepMs) cell.downInLastSweep++;
          continue;
        }
        cell.replies++;
        cell.sum += rtt;
        sum += rtt;
        replies++;
      }
      targetAverages[s]![i] = replies > 0 ? sum / replies : null;
      if (replies === 0) neverAnsweredOf.set(key, (neverAnsweredOf.get(key) ?? 0) + 1);
    }
  });
}

let questdb: LocalQuestDb;
let live: LivePage;
let browser: Browser;
/**
 * The datasource's SQL for a query (built as the datasource builds it) run on QuestDB, its reply as
 * columns. Not the query runner itself: its frames need @grafana/data, which needs a DOM, and the
 * collector's fixture needs Node's own URL; the frames are checked in the browser below.
 */
let runner: {
  run(
    q: PingSphereQuery,
    ctx: QueryContext,
  ): Promise<Array<{ fields: Array<{ name: string; values: unknown[] }>; length: number; sql: string }>>;
};

beforeAll(async () => {
  questdb = await LocalQuestDb.launch({ maxHeap: '4g' }); // the fixture's icmp_1m percentiles need it
  const started = performance.now();
  await loadFixture({ ...shape, conf: questdb.clientConf, startMs, sweeps, everyMinutes });
  process.stderr.write(
    `[views.test] fixture of 100,000 targets loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  computeTruth();
  const client = new FetchQuestDbClient(questdb.httpUrl);
  runner = {
    async run(q, ctx) {
      const { sql } = q.queryType && q.queryType !== 'pairs' ? buildInventorySql(q, ctx) : buildSql(q, ctx);
      const reply = await client.exec(sql);
      const fields = reply.columns.map((c, i) => ({ name: c.name, values: reply.dataset.map((row) => row[i]) }));
      return [{ fields, length: reply.dataset.length, sql }];
    },
  };
  live = await serveLivePage({ questdbUrl: questdb.httpUrl });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await live?.close();
  await questdb?.dispose();
});

const context = (patch: Partial<QueryContext> = {}): QueryContext => ({
  fromMs: startMs - 60_000,
  toMs: lastSweepMs + 2 * 60_000,
  intervalMs: 60_000,
  timeZone: 'UTC',
  rollupMinRangeHours: 6,
  ...patch,
});

const query = (patch: Partial<PingSphereQuery>): PingSphereQuery => ({
  refId: 'A',
  family: 'icmp',
  stat: 'avg',
  groupBy: [],
  format: 'table',
  ...patch,
});

function rows(frame: { fields: Array<{ name: string; values: unknown[] }>; length: number }) {
  return Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]])),
  ) as Array<Record<string, unknown>>;
}

const close = (a: unknown, b: number) => Math.abs(Number(a) - b) <= 1e-6 * Math.max(1, Math.abs(b));

/** The worst targets by hand: per target its highest average over the sources, highest first. */
function worstByHand(n: number): Array<{ target: string; src: string; value: number }> {
  const worst: Array<{ target: string; src: string; value: number }> = [];
  for (let i = 0; i < shape.targets; i++) {
    let best: { target: string; src: string; value: number } | undefined;
    fixtureSources.forEach((source, s) => {
      const value = targetAverages[s]![i];
      if (value !== null && value !== undefined && (!best || value > best.value))
        best = { target: fixtureAddress(i), src: source.src, value };
    });
    if (best) worst.push(best);
  }
  return worst.sort((a, b) => b.value - a.value).slice(0, n);
}

describe('datasource query types over the 100,000-target fixture in QuestDB', () => {
  it('ICMP by group: one row per (collector, group), never per target; statistic, loss and targets down as by hand', async () => {
    const [frame] = await runner.run(query({ queryType: 'icmp_groups' }), context());
    const table = rows(frame!);
    // 198 groups (groups 99 and 199 hold only every-100th targets, which carry no group), their 2
    // locations (Tokyo, Mumbai) for the ungrouped, 10 /24 prefixes for the unlabelled; × 3 collectors.
    expect(cells.size).toBe(3 * 210);
    expect(table).toHaveLength(cells.size);
    for (const row of table) {
      const truth = cells.get(`${String(row.src)}|${String(row.dst)}`);
      expect(truth, JSON.stringify(row)).toBeDefined();
      expect([row.samples, row.targets, row.targets_down]).toEqual([
        truth!.probes,
        truth!.targets,
        truth!.downInLastSweep,
      ]);
      expect(close(row.value, truth!.sum / truth!.replies), `${String(row.src)} ${String(row.dst)}`).toBe(true);
      expect(close(row.loss_pct, (100 * (truth!.probes - truth!.replies)) / truth!.probes)).toBe(true);
    }
    // Some cells really have targets down, and some none.
    expect(table.some((r) => Number(r.targets_down) > 0) && table.some((r) => r.targets_down === 0)).toBe(true);
  });

  it('reads icmp_group_1h for a range of a day or more: the same average, targets down over the whole hour', async () => {
    const longRange = context({ fromMs: lastSweepMs - 24 * 3_600_000 });
    const [frame] = await runner.run(query({ queryType: 'icmp_groups' }), longRange);
    expect(frame!.sql).toContain('FROM icmp_group_1h');
    const table = rows(frame!);
    expect(table).toHaveLength(cells.size);
    let down = 0;
    for (const row of table) {
      const s = fixtureSources.findIndex((source) => source.src === row.src);
      const truth = cells.get(`${String(row.src)}|${String(row.dst)}`)!;
      expect(close(row.value, truth.sum / truth.replies)).toBe(true);
      // Per hour, a target is down only if it never answered in the hour (both sweeps are in it).
      const neverAnswered = neverAnsweredOf.get(`${fixtureSources[s]!.src}|${String(row.dst)}`) ?? 0;
      expect(row.targets_down, `${String(row.src)} ${String(row.dst)}`).toBe(neverAnswered);
      down += neverAnswered;
    }
    // Targets down all hour exist (one in 997 never answers), fewer than down in a minute.
    const downInLastMinute = [...cells.values()].reduce((n, c) => n + c.downInLastSweep, 0);
    expect(down).toBeGreaterThan(0);
    expect(down).toBeLessThan(downInLastMinute);
  });

  it('worst targets: the 10 highest averages, each with name, group, location and the collector that sees it worst', async () => {
    const [frame] = await runner.run(query({ queryType: 'icmp_worst_targets', limit: 10 }), context());
    const table = rows(frame!);
    const truth = worstByHand(10);
    expect(table.map((r) => r.target)).toEqual(truth.map((t) => t.target));
    table.forEach((row, k) => {
      expect(row.worst_src).toBe(truth[k]!.src);
      expect(close(row.value, truth[k]!.value)).toBe(true);
      const i = indexOf(String(row.target));
      // Every 10,000th target has no labels at all (none of the worst ten, but the rule is kept).
      const labelled = i % 10_000 !== 9_999;
      expect(row.name).toBe(labelled ? `${fixtureGroup(i % shape.groups).name}-h${i}` : null);
      expect(row.group_key).toBe(groupKey(i));
      expect(row.loc).toBe(labelled ? fixtureGroup(i % shape.groups).city.loc : null);
    });
  });

  it('the ordinary pairs query places located targets: dst_loc comes from the inventory', async () => {
    const [frame] = await runner.run(
      query({
        stat: 'avg',
        groupBy: ['src', 'dst', 'src_loc', 'dst_loc'],
        filters: { dst: [fixtureAddress(5)] },
        source: 'raw',
      }),
      context(),
    );
    expect(rows(frame!).map((r) => [r.src, r.dst_loc])).toEqual(
      [...fixtureSources].map((s) => [s.src, fixtureGroup(5).city.loc]).sort(([a], [b]) => a!.localeCompare(b!)),
    );
  });
});

// Wide, at device pixel ratio 2: 210 group columns of ~4.5 CSS px, each quarter of a cell ≥ 4 device pixels.
const viewport = { width: 2000, height: 1300 };

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 2 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const minutes = Math.ceil((Date.now() - startMs) / 60_000) + 5;
  await page.goto(`${live.url}?family=icmp&stat=avg&theme=dark&minutes=${minutes}${path}`);
  await waitReady(page);
  expect(errors).toEqual([]);
  return page;
}

/** Waits until the page holds the data of its current #hash (the page says which hash it loaded). */
async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.body.dataset.state !== undefined && document.body.dataset.loadedHash === window.location.hash,
    null,
    { timeout: 60_000 },
  );
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
}

async function pixel(page: Page, testId: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([id, px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)!;
      const ratio = canvas.width / canvas.clientWidth;
      const data = canvas.getContext('2d')!.getImageData(Math.floor(px * ratio), Math.floor(py * ratio), 1, 1).data;
      return [data[0]!, data[1]!, data[2]!];
    },
    [testId, x, y] as const,
  );
}

async function grid(page: Page) {
  const [x, y, cell] = (await page.getAttribute('[data-testid="matrix-canvas"]', 'data-grid'))!.split(',').map(Number);
  return { x: x!, y: y!, cell: cell! };
}

/**
 * The matrix tooltip's lines over each [row, col] cell, in one round trip: real mousemove events on
 * the panel's overlay canvas (the panel writes its tooltip synchronously), read back in the page.
 */
async function tooltipsAt(page: Page, at: number[][]): Promise<string[][]> {
  return page.evaluate((cellsAt) => {
    const overlay = document.querySelector<HTMLCanvasElement>('[data-testid="matrix-overlay"]')!;
    const [gx, gy, cell] = document
      .querySelector('[data-testid="matrix-canvas"]')!
      .getAttribute('data-grid')!
      .split(',')
      .map(Number);
    const box = overlay.getBoundingClientRect();
    return cellsAt.map(([row, col]) => {
      const clientX = box.left + gx! + (col! + 0.5) * cell!;
      const clientY = box.top + gy! + (row! + 0.5) * cell!;
      overlay.dispatchEvent(new MouseEvent('mousemove', { clientX, clientY, bubbles: true }));
      return [...document.querySelectorAll('[data-testid="matrix-tooltip"] > div')].map((d) => d.textContent ?? '');
    });
  }, at);
}

/** Natural Earth 1 (Šavrič et al. 2015), the published polynomial: unit-sphere x, y of a lon/lat. */
function naturalEarth1(lon: number, lat: number): [number, number] {
  const l = (lon * Math.PI) / 180;
  const p = (lat * Math.PI) / 180;
  const p2 = p * p;
  const p4 = p2 * p2;
  return [
    l * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))),
    p * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4))),
  ];
}

/** Where the map (whole world fitted into the canvas less 12 px) puts a place, in CSS px. */
function mapPoint(width: number, height: number, lon: number, lat: number): { x: number; y: number } {
  const halfWidth = naturalEarth1(180, 0)[0]; // 2.7354
  const halfHeight = naturalEarth1(0, 90)[1]; // 1.4224
  const scale = Math.min((width - 24) / (2 * halfWidth), (height - 24) / (2 * halfHeight));
  const [x, y] = naturalEarth1(lon, lat);
  return { x: width / 2 + scale * x, y: height / 2 - scale * y };
}

const green = [115, 191, 105];
const red = [242, 73, 92];
const downMark = [24, 27, 31];

/** Checks that each source sits at its city, filled green (lowest value), red (highest) or neither. */
async function expectSourcesColoured(page: Page, valueOf: (s: number) => number): Promise<void> {
  const box = (await page.locator('[data-testid="geomap-canvas"]').boundingBox())!;
  const values = fixtureSources.map((_, s) => valueOf(s));
  for (const [s, source] of fixtureSources.entries()) {
    const at = mapPoint(box.width, box.height, source.lon, source.lat);
    const colour = await pixel(page, 'geomap-canvas', at.x, at.y);
    if (values[s] === Math.min(...values)) expect(colour, source.src).toEqual(green);
    else if (values[s] === Math.max(...values)) expect(colour, source.src).toEqual(red);
    else expect([green, red], source.src).not.toContainEqual(colour);
  }
}

describe('the live page over the fixture in Chromium; Grafana is not running: the panels get hand-built PanelProps', () => {
  it('shows the ICMP matrix by group: 3 × 210 cells, the statistic, and targets down marked and counted', async () => {
    const page = await open('');
    expect(await page.getAttribute('[data-testid="matrix-canvas"]', 'aria-label')).toBe('latency matrix 3 × 210');
    const g = await grid(page);
    const seen = { down: 0, clean: 0, lowest: false, highest: false };
    const values = [...cells.values()].map((c) => c.sum / c.replies);
    // Which source is each row and which group each column: from the tooltips (row 0 across, column
    // 0 down), whose counts are checked against the hand-computed cells on the way.
    const check = (lines: string[]) => {
      const match = /^(\S+) → (.+): [\d.]+ ms, loss [\d.]+%, (\d+) samples, (\d+) of (\d+) targets down$/.exec(
        lines[1] ?? '',
      );
      expect(match, lines.join(' / ')).not.toBeNull();
      const truth = cells.get(`${match![1]}|${match![2]}`)!;
      expect([Number(match![3]), Number(match![4]), Number(match![5])]).toEqual([
        truth.probes,
        truth.downInLastSweep,
        truth.targets,
      ]);
      return { src: match![1]!, group: match![2]! };
    };
    const sources = (
      await tooltipsAt(
        page,
        [0, 1, 2].map((row) => [row, 0]),
      )
    ).map((lines) => check(lines).src);
    expect([...sources].sort()).toEqual(fixtureSources.map((s) => s.src).sort());
    const groups = (
      await tooltipsAt(
        page,
        Array.from({ length: 210 }, (_, col) => [0, col]),
      )
    ).map((lines) => check(lines).group);
    expect(new Set(groups).size).toBe(210);
    // Every cell's pixels in one read: the bottom-left quarter (the down mark, or the cell's colour)
    // and the bottom-right one (always the cell's colour; top-right is the loss mark).
    const points = sources.flatMap((_, row) =>
      groups.flatMap((_, col) => [
        // 0.35 of a cell in: clear of the 1 px location-band line at a column's left edge.
        [g.x + (col + 0.35) * g.cell, g.y + (row + 0.75) * g.cell],
        [g.x + (col + 0.75) * g.cell, g.y + (row + 0.75) * g.cell],
      ]),
    );
    const colours = await page.evaluate((list) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="matrix-canvas"]')!;
      const ratio = canvas.width / canvas.clientWidth;
      const ctx = canvas.getContext('2d')!;
      return list.map(([x, y]) =>
        [...ctx.getImageData(Math.floor(x! * ratio), Math.floor(y! * ratio), 1, 1).data].slice(0, 3),
      );
    }, points);
    sources.forEach((src, row) => {
      groups.forEach((group, col) => {
        const truth = cells.get(`${src}|${group}`)!;
        const mark = colours[(row * groups.length + col) * 2]!;
        const cell = colours[(row * groups.length + col) * 2 + 1]!;
        if (truth.downInLastSweep > 0) {
          expect(mark, `${src} ${group}`).toEqual(downMark);
          seen.down++;
        } else {
          expect(mark, `${src} ${group}`).toEqual(cell);
          seen.clean++;
        }
        const value = truth.sum / truth.replies;
        if (value === Math.min(...values)) {
          expect(cell).toEqual(green);
          seen.lowest = true;
        } else if (value === Math.max(...values)) {
          expect(cell).toEqual(red);
          seen.highest = true;
        }
      });
    });
    expect(seen.down).toBeGreaterThan(0);
    expect(seen.clean).toBeGreaterThan(0);
    expect(seen.lowest && seen.highest).toBe(true);
    // The worst-targets table: the hand-computed ten, with the collector that sees each worst.
    const worst = worstByHand(10);
    const table = await page
      .locator('[data-testid="worst-table"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(table.map((r) => r[0])).toEqual(worst.map((w) => w.target));
    expect(table.map((r) => r[4])).toEqual(worst.map((w) => w.src));
    // Nothing clicked yet: the map looks towards the worst target, every collector coloured by its RTT.
    expect(await page.textContent('[data-testid="geomap-title"]')).toContain(
      `towards the worst target, ${worst[0]!.target}`,
    );
    expect(await page.textContent('[data-testid="geomap-note"]')).toBe('4 nodes, 3 directed links');
    await expectSourcesColoured(page, (s) => targetAverages[s]![indexOf(worst[0]!.target)]!);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('views-group-matrix'), fullPage: true });
    await page.close();
  }, 240_000);

  it('drills down in place: a click on a group shows its 500 targets and every collector coloured by its RTT to it', async () => {
    const page = await open('');
    // Group 7, in Mumbai: far from every collector (nodes and labels apart on the map), and it loses
    // no probes (loss would colour the links purple, not by RTT). Its first target, 198.18.0.7, answers.
    const group = fixtureGroup(7).name;
    const g = await grid(page);
    const overlay = (await page.locator('[data-testid="matrix-overlay"]').boundingBox())!;
    const firstLines = await tooltipsAt(
      page,
      Array.from({ length: 210 }, (_, c) => [0, c]),
    );
    const col = firstLines.findIndex((lines) => lines[0]!.includes(`↔ ${group} (`));
    expect(col).toBeGreaterThanOrEqual(0);
    await page.mouse.click(overlay.x + g.x + (col + 0.5) * g.cell, overlay.y + g.y + 0.5 * g.cell);
    await waitReady(page);
    expect(await page.textContent('[data-testid="matrix-title"]')).toContain(`Targets of group ${group}`);
    expect(decodeURIComponent(await page.evaluate(() => window.location.hash))).toBe(`#group=${group}`);
    expect(await page.textContent('[data-testid="geomap-title"]')).toBe(`Every collector towards group ${group}`);
    // Three collectors and the group at its city: 4 nodes, 3 links; each collector coloured.
    expect(await page.textContent('[data-testid="geomap-note"]')).toBe('4 nodes, 3 directed links');
    await expectSourcesColoured(page, (s) => {
      const cell = cells.get(`${fixtureSources[s]!.src}|${group}`)!;
      return cell.sum / cell.replies;
    });
    await page.screenshot({ path: screenshotPath('views-group-drilldown'), fullPage: true });

    // A click on a target: the map towards that target, which is placed at its city.
    const target = await page.evaluate(() =>
      document.querySelector('[data-testid="matrix-canvas"]')!.getAttribute('aria-label'),
    );
    expect(target).toBe('latency matrix 3 × 500');
    const g2 = await grid(page);
    const overlay2 = (await page.locator('[data-testid="matrix-overlay"]').boundingBox())!;
    await page.mouse.move(overlay2.x + g2.x + 0.5 * g2.cell, overlay2.y + g2.y + 0.5 * g2.cell);
    const address = /↔ (\S+) \(/.exec(
      (await page.locator('[data-testid="matrix-tooltip"] > div').first().textContent())!,
    )![1]!;
    await page.mouse.click(overlay2.x + g2.x + 0.5 * g2.cell, overlay2.y + g2.y + 0.5 * g2.cell);
    await waitReady(page);
    expect(await page.textContent('[data-testid="geomap-title"]')).toBe(`Every collector towards ${address}`);
    expect(await page.textContent('[data-testid="geomap-note"]')).toBe('4 nodes, 3 directed links');
    const i = indexOf(address);
    expect(fixtureAddress(i)).toBe(address);
    expect(groupKey(i)).toBe(group);
    await expectSourcesColoured(page, (s) => targetAverages[s]![i]!);
    // The target itself at its city (Mumbai): a node drawn there.
    const box = (await page.locator('[data-testid="geomap-canvas"]').boundingBox())!;
    const city = fixtureGroup(7).city;
    const at = mapPoint(box.width, box.height, city.lon, city.lat);
    await page.mouse.move(box.x + at.x, box.y + at.y);
    expect(await page.locator('[data-testid="geomap-tooltip"] > div').allTextContents()).toEqual([address, city.loc]);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('views-target-map'), fullPage: true });
    await page.close();
  }, 180_000);
});
