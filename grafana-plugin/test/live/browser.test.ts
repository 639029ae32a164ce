// The live page in headless Chromium, fed by a REAL QuestDB that real collectors filled (see
// test/helpers/live-mesh.ts). Grafana itself is not running: the page renders the plugin's panels
// with hand-built PanelProps (harness/src/panel-host.tsx) and the datasource's query runner.
// Assertions are on what is drawn (pixels of cells and nodes), the legend and the tooltips;
// expected colours and positions are written out by hand (Grafana's dark green #73BF69 and red
// #F2495C at the ends of the default scheme; the map position from Natural Earth's published
// formula), never taken from the panels' own code. Screenshots are kept in test-artifacts/screenshots/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '@pingsphere/testbed';
import { serveLivePage, type LivePage } from '../../harness/server';
import { FetchQuestDbClient } from '../../src/datasource/questdb-client';
import { PingSphereQueryRunner } from '../../src/datasource/query-runner';
import { startLiveMesh, type LiveMesh } from '../helpers/live-mesh';

let mesh: LiveMesh;
let live: LivePage;
let browser: Browser;

beforeAll(async () => {
  mesh = await startLiveMesh(8_000);
  live = await serveLivePage({ questdbUrl: mesh.questdb.httpUrl });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await live?.close();
  await mesh?.dispose();
});

const viewport = { width: 1400, height: 1100 };

async function open(query: string, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${live.url}?${query}&minutes=30${hash}`);
  await page.waitForFunction(() => document.body.dataset.state !== undefined, null, { timeout: 30_000 });
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
  return page;
}

/** RGBA of the canvas pixel at CSS position (x, y) of a canvas. */
async function pixel(page: Page, testId: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([id, px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)!;
      const ratio = canvas.width / canvas.clientWidth;
      return [...canvas.getContext('2d')!.getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data];
    },
    [testId, x, y] as const,
  );
}

async function grid(page: Page) {
  const [x, y, cell] = (await page.getAttribute('[data-testid="matrix-canvas"]', 'data-grid'))!.split(',').map(Number);
  return { x: x!, y: y!, cell: cell! };
}

describe('live page over a real collector run; Grafana itself is not running: the panels get hand-built PanelProps', () => {
  it('draws every ICMP pair in the matrix in the colour of its p50, with a legend for the range', async () => {
    const page = await open('family=icmp&stat=p50&theme=dark&view=pairs');
    expect(await page.getAttribute('[data-testid="matrix-canvas"]', 'aria-label')).toBe('latency matrix 3 × 3');
    // The numbers the page shows come from the same SQL the test runs directly.
    const runner = new PingSphereQueryRunner(new FetchQuestDbClient(mesh.questdb.httpUrl));
    const toMs = Date.now();
    const [frame] = await runner.run(
      {
        refId: 'A',
        family: 'icmp',
        stat: 'p50',
        format: 'table',
        groupBy: ['src', 'dst', 'src_loc', 'dst_loc'],
        source: 'raw',
      },
      { fromMs: toMs - 30 * 60_000, toMs, intervalMs: 60_000, timeZone: 'UTC', rollupMinRangeHours: 6 },
    );
    const values = frame!.fields.find((f) => f.name === 'value')!.values as number[];
    const [lowest, highest] = [Math.min(...values), Math.max(...values)];
    const ticks = await page.locator('[data-testid="section-matrix"] [data-testid="legend-tick"]').allTextContents();
    expect(ticks).toHaveLength(3);
    expect(ticks[0]).toMatch(/ ms$/);
    // Rows and columns are ordered by location: Paris,FR (127.0.0.1) / Frankfurt,DE (…2) / Tokyo,JP (…3)
    // → DE, FR, JP.
    const order = ['127.0.0.2', '127.0.0.1', '127.0.0.3'];
    const g = await grid(page);
    const src = frame!.fields.find((f) => f.name === 'src')!.values as string[];
    const dst = frame!.fields.find((f) => f.name === 'dst')!.values as string[];
    for (let i = 0; i < values.length; i++) {
      const row = order.indexOf(src[i]!);
      const col = order.indexOf(dst[i]!);
      const [r, gr, b, a] = await pixel(page, 'matrix-canvas', g.x + (col + 0.5) * g.cell, g.y + (row + 0.5) * g.cell);
      expect(a).toBe(255);
      // The ends of the default continuous green-yellow-red scheme over the data's range.
      if (values[i] === lowest) expect([r, gr, b]).toEqual([115, 191, 105]);
      else if (values[i] === highest) expect([r, gr, b]).toEqual([242, 73, 92]);
      else expect([r, gr, b]).not.toEqual([142, 36, 170]); // never the loss colour: no probe was lost
    }
    await page.screenshot({ path: screenshotPath('plugin-live-icmp-dark') });
    await page.close();
  });

  it('shows both directions of a pair on hover and opens the pair on click', async () => {
    const page = await open('family=icmp&stat=p50&theme=dark&view=pairs');
    const g = await grid(page);
    const canvas = await page.locator('[data-testid="matrix-overlay"]').boundingBox();
    // Row 127.0.0.1 (index 1), column 127.0.0.2 (index 0).
    const at = { x: canvas!.x + g.x + 0.5 * g.cell, y: canvas!.y + g.y + 1.5 * g.cell };
    await page.mouse.move(at.x, at.y);
    const lines = await page.locator('[data-testid="matrix-tooltip"] > div').allTextContents();
    expect(lines[0]).toBe('127.0.0.1 (Paris,FR) ↔ 127.0.0.2 (Frankfurt,DE)');
    expect(lines[1]).toMatch(/^127\.0\.0\.1 → 127\.0\.0\.2: [\d.]+ [mµ]s, loss 0%, \d+ samples$/);
    expect(lines[2]).toMatch(/^127\.0\.0\.2 → 127\.0\.0\.1: [\d.]+ [mµ]s, loss 0%, \d+ samples$/);
    expect(lines[3]).toMatch(/^asymmetry \(A→B − B→A\): -?[\d.]+ [mµ]s$/);
    expect(lines[4]).toBe('click: Time of day of this pair');
    await page.screenshot({ path: screenshotPath('plugin-live-matrix-hover') });
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="timeofday-title"]')!.textContent!.includes('→'),
    );
    expect(decodeURIComponent(await page.evaluate(() => window.location.hash))).toBe('#pair=127.0.0.1|127.0.0.2');
    expect(await page.textContent('[data-testid="timeofday-title"]')).toBe('Time of day · 127.0.0.1 → 127.0.0.2');
    await page.close();
  });

  it('fills the time-of-day cell of the hour the collectors ran, in the browser time zone', async () => {
    const page = await open('family=icmp&stat=avg&theme=light&view=pairs');
    const summary = await page.textContent('[data-testid="timeofday-summary"]');
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(summary).toMatch(
      new RegExp(`^highest at \\d\\d:00–\\d\\d:00: [\\d.]+ ms .* · ${zone.replace('/', '\\/')}$`),
    );
    const box = (await page.locator('[data-testid="timeofday-canvas"]').boundingBox())!;
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(mesh.toMs));
    const hour = Number(local.find((p) => p.type === 'hour')!.value);
    const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(
      local.find((p) => p.type === 'weekday')!.value,
    );
    const cellW = (box.width - 78) / 24;
    const cellH = (box.height - 16) / 7;
    await page.mouse.move(box.x + 78 + (hour + 0.5) * cellW, box.y + 16 + (weekday + 0.5) * cellH);
    expect(await page.textContent('[data-testid="timeofday-tooltip"]')).toMatch(
      new RegExp(`^\\w{3} ${String(hour).padStart(2, '0')}:00–\\d\\d:00 \\(.+\\): [\\d.]+ ms from [1-9]\\d* points$`),
    );
    await page.screenshot({ path: screenshotPath('plugin-live-icmp-light') });
    await page.close();
  });

  it('puts the collectors at their cities on the offline map, with directed links', async () => {
    const page = await open('family=http&stat=p50&theme=dark&mode=asymmetry');
    expect(await page.textContent('[data-testid="geomap-note"]')).toBe('3 nodes, 6 directed links');
    const box = (await page.locator('[data-testid="geomap-canvas"]').boundingBox())!;
    // Tokyo (35.69° N, 139.69° E in the city table) by Natural Earth 1's polynomial: x = 2.1207,
    // y = 0.6240 for a sphere of x ±2.7354, y ±1.4224 fitted into the 664 × 408 px canvas less 12 px
    // padding (scale 116.99, centre (332, 204)): (565.1, 130.3) px, far east on the map.
    const tokyo = { x: 565.1, y: 130.3 };
    expect(box.width).toBe(664);
    expect(box.height).toBe(408);
    await page.mouse.move(box.x + tokyo.x, box.y + tokyo.y);
    expect(await page.locator('[data-testid="geomap-tooltip"] > div').allTextContents()).toEqual([
      '127.0.0.3',
      'Tokyo,JP',
    ]);
    const [, , , alpha] = await pixel(page, 'geomap-canvas', tokyo.x, tokyo.y);
    expect(alpha).toBe(255);
    // The HTTP matrix in asymmetry mode: 3 × 3 with a diverging legend around zero.
    expect(await page.getAttribute('[data-testid="matrix-canvas"]', 'aria-label')).toBe('latency matrix 3 × 3');
    const ticks = await page.locator('[data-testid="section-matrix"] [data-testid="legend-tick"]').allTextContents();
    expect(ticks[1]).toMatch(/^-?0(\.0+)? ms$/);
    expect(ticks[0]!.startsWith('-')).toBe(true);
    await page.screenshot({ path: screenshotPath('plugin-live-http-asymmetry') });
    await page.close();
  });

  it('refuses anything but reading statements through its QuestDB proxy', async () => {
    const drop = await fetch(`${live.url}questdb/exec?query=${encodeURIComponent('drop table icmp')}`);
    expect(drop.status).toBe(403);
    const two = await fetch(`${live.url}questdb/exec?query=${encodeURIComponent('select 1; drop table icmp')}`);
    expect(two.status).toBe(403);
    const select = await fetch(`${live.url}questdb/exec?query=${encodeURIComponent('select count() from icmp')}`);
    expect(select.status).toBe(200);
  });
});
