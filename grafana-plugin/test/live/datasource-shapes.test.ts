// The panels in headless Chromium, fed frames shaped as each datasource returns them (PingSphere's
// own, Grafana's PostgreSQL, Prometheus read directly / after Reduce / after Labels to fields),
// with units, thresholds (or a continuous scheme) and a data link in the field config. Grafana
// itself is not running: harness/src/shapes-page.tsx applies the field config with @grafana/data
// and emulates the template service. Every expected colour and position is written out by hand:
// Grafana's dark-theme colours (green #73BF69, orange #FF9830, red #F2495C, PingSphere's loss
// purple #8E24AA) and the geometry derived in the comments below, never taken from the code.
import type { Browser, Page } from 'playwright-core';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, repoRoot, screenshotPath } from '@pingsphere/testbed';
import { serveLivePage, type LivePage } from '../../harness/server';

let live: LivePage;
let browser: Browser;

beforeAll(async () => {
  live = await serveLivePage();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await live?.close();
});

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${live.url}shapes.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
  expect(errors).toEqual([]);
  return page;
}

/** RGB of the canvas pixel at CSS position (x, y) of the canvas `testId` inside section `section`. */
async function pixel(page: Page, section: string, testId: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([s, id, px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${s}"] [data-testid="${id}"]`)!;
      const ratio = canvas.width / canvas.clientWidth;
      return [
        ...canvas.getContext('2d')!.getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data,
      ].slice(0, 3);
    },
    [section, testId, x, y] as const,
  );
}

/** The pixel within `radius` px of (x, y) nearest in colour to `want` (for anti-aliased 2 px lines). */
async function nearestColour(
  page: Page,
  section: string,
  testId: string,
  x: number,
  y: number,
  want: number[],
  radius = 2,
) {
  let best = Infinity;
  for (let dx = -radius; dx <= radius; dx++) {
    for (let dy = -radius; dy <= radius; dy++) {
      const got = await pixel(page, section, testId, x + dx, y + dy);
      best = Math.min(
        best,
        got.reduce((sum, c, i) => sum + Math.abs(c - want[i]!), 0),
      );
    }
  }
  return best;
}

const colours = {
  green: [115, 191, 105],
  orange: [255, 152, 48],
  red: [242, 73, 92],
  lossPurple: [142, 36, 170],
};

/**
 * Matrix 600 × 400 px of grid, ordered by location (16 px band). Three-letter names: labels of
 * ceil(3 × 11 × 0.62) + 6 = 27 px, grid from 43 px, cells of min(557, 357) / 3 = 119 px; order
 * Frankfurt,DE / Singapore,SG / New York,US. Goldpinger's 8-character addresses: labels of 61 px,
 * grid from 77 px, cells of 323 / 3 px; order by name 10.0.0.1 (fra) / 10.0.0.2 (nyc) / 10.0.0.3 (sgp).
 */
function cell(ip: boolean, from: 'fra' | 'nyc' | 'sgp', to: 'fra' | 'nyc' | 'sgp') {
  const order = ip ? ['fra', 'nyc', 'sgp'] : ['fra', 'sgp', 'nyc'];
  const [start, size] = ip ? [77, 323 / 3] : [43, 119];
  return { x: start + (order.indexOf(to) + 0.5) * size, y: start + (order.indexOf(from) + 0.5) * size };
}

const shapes = [
  { id: 'pingsphere', ip: false, loss: true, link: '#/d/pingsphere-pair/pingsphere-pair?var-src=fra&var-dst=nyc' },
  { id: 'postgres', ip: false, loss: true, link: '#/d/pingsphere-pair/pingsphere-pair?var-src=fra&var-dst=nyc' },
  { id: 'prometheus', ip: true, loss: false, link: '#/explore?from=10.0.0.1&to=10.0.0.2' },
  { id: 'prometheus-reduce', ip: true, loss: false, link: '#/explore?from=10.0.0.1&to=10.0.0.2' },
  { id: 'prometheus-labels', ip: true, loss: false, link: '#/explore?from=10.0.0.1&to=10.0.0.2' },
] as const;

describe('panels in Chromium with other datasources’ frames; Grafana is not running: field config applied by @grafana/data, template service emulated', () => {
  it.each(shapes.map((s) => [s.id, s] as const))(
    '%s: threshold colours in the matrix, geo map and time of day, tooltip text and the data link',
    async (_id, shape) => {
      const page = await open(`shape=${shape.id}&colour=thresholds`);
      // Thresholds green < 25 ms ≤ orange < 45 ms ≤ red: 10 ms, 30 ms, 50 ms.
      expect(
        await pixel(
          page,
          'section-matrix',
          'matrix-canvas',
          cell(shape.ip, 'fra', 'nyc').x,
          cell(shape.ip, 'fra', 'nyc').y,
        ),
      ).toEqual(colours.green);
      expect(
        await pixel(
          page,
          'section-matrix',
          'matrix-canvas',
          cell(shape.ip, 'nyc', 'fra').x,
          cell(shape.ip, 'nyc', 'fra').y,
        ),
      ).toEqual(colours.orange);
      expect(
        await pixel(
          page,
          'section-matrix',
          'matrix-canvas',
          cell(shape.ip, 'fra', 'sgp').x,
          cell(shape.ip, 'fra', 'sgp').y,
        ),
      ).toEqual(colours.red);
      // nyc → sgp lost every probe where the frames carry loss (purple), else it is a 50 ms red.
      expect(
        await pixel(
          page,
          'section-matrix',
          'matrix-canvas',
          cell(shape.ip, 'nyc', 'sgp').x,
          cell(shape.ip, 'nyc', 'sgp').y,
        ),
      ).toEqual(shape.loss ? colours.lossPurple : colours.red);
      // A self-pair was never measured: transparent.
      const self = cell(shape.ip, 'fra', 'fra');
      const [, , , alpha] = await page.evaluate(
        ([px, py]) => {
          const canvas = document.querySelector<HTMLCanvasElement>(
            '[data-testid="section-matrix"] [data-testid="matrix-canvas"]',
          )!;
          const ratio = canvas.width / canvas.clientWidth;
          return [...canvas.getContext('2d')!.getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data];
        },
        [self.x, self.y] as const,
      );
      expect(alpha).toBe(0);

      // Hover and click fra → nyc.
      const box = (await page.locator('[data-testid="section-matrix"] [data-testid="matrix-overlay"]').boundingBox())!;
      const fraNyc = cell(shape.ip, 'fra', 'nyc');
      await page.mouse.move(box.x + fraNyc.x, box.y + fraNyc.y);
      const lines = await page.locator('[data-testid="matrix-tooltip"] > div').allTextContents();
      const name = shape.ip ? { fra: '10.0.0.1', nyc: '10.0.0.2' } : { fra: 'fra', nyc: 'nyc' };
      expect(lines[1]).toMatch(
        new RegExp(`^${name.fra.replaceAll('.', '\\.')} → ${name.nyc.replaceAll('.', '\\.')}: 10\\.0 ms`),
      );
      expect(lines[2]).toMatch(
        new RegExp(`^${name.nyc.replaceAll('.', '\\.')} → ${name.fra.replaceAll('.', '\\.')}: 30\\.0 ms`),
      );
      expect(lines.slice(3)).toEqual(['asymmetry (A→B − B→A): -20.0 ms', 'click: Pair detail']);
      await page.mouse.click(box.x + fraNyc.x, box.y + fraNyc.y);
      await page.waitForFunction((want) => window.location.hash === want, shape.link, { timeout: 10_000 });

      // Geo map (800 × 400 px of map): fra at (219.2, 200), nyc at (580.8, 200); the fra → nyc arc
      // bends 40 px below the straight line, its middle at (398.3, 220.4): green (10 ms); the
      // reverse arc above, through (401.7, 179.6): orange (30 ms), or purple where the frames say it
      // lost 2.5 % (at or above the 1 % mark). Lines are 2 px and anti-aliased.
      const geo = (x: number, y: number, want: number[]) =>
        nearestColour(page, 'section-geomap', 'geomap-canvas', x, y, want);
      expect(await geo(398.3, 220.4, colours.green)).toBeLessThan(30);
      expect(await geo(401.7, 179.6, shape.loss ? colours.lossPurple : colours.orange)).toBeLessThan(30);

      // Time of day (780 × 246 px: 78 px of day labels, 24 columns of 29.25 px; 16 px of hour
      // labels, 7 rows of 32.86 px): goldpinger's series all fall on Monday 12:00–13:00 UTC, mean
      // 30 ms = 0.03 s ≥ 0.025 s: orange, in the cell centred at (443.6, 32.4).
      expect(await pixel(page, 'section-timeofday', 'timeofday-canvas', 443.6, 32.4)).toEqual(colours.orange);
      await page.close();
    },
  );

  it('colours with the continuous green-yellow-red scheme over the data’s range when chosen', async () => {
    const page = await open('shape=pingsphere&colour=continuous');
    expect(
      await pixel(page, 'section-matrix', 'matrix-canvas', cell(false, 'fra', 'nyc').x, cell(false, 'fra', 'nyc').y),
    ).toEqual(colours.green);
    expect(
      await pixel(page, 'section-matrix', 'matrix-canvas', cell(false, 'fra', 'sgp').x, cell(false, 'fra', 'sgp').y),
    ).toEqual(colours.red);
    // 30 ms is the middle of 10…50: d3's basis spline there is (green + 4 × yellow #FADE2A + red) / 6 = (226, 192, 61).
    const middle = await pixel(
      page,
      'section-matrix',
      'matrix-canvas',
      cell(false, 'nyc', 'fra').x,
      cell(false, 'nyc', 'fra').y,
    );
    expect(middle.reduce((sum, c, i) => sum + Math.abs(c - [226, 192, 61][i]!), 0)).toBeLessThanOrEqual(6);
    // The catalog screenshots (plugin.json info.screenshots) are these panels, taken here.
    const shots = [
      ['section-matrix', 'matrix'],
      ['section-geomap', 'geomap'],
      ['section-timeofday', 'timeofday'],
    ] as const;
    for (const [section, name] of shots) {
      const path = screenshotPath(`catalog-${name}`);
      await page.locator(`[data-testid="${section}"]`).screenshot({ path });
      if (process.env.PINGSPHERE_UPDATE_SCREENSHOTS === '1') {
        const dir = join(repoRoot, 'grafana-plugin/src/img/screenshots');
        mkdirSync(dir, { recursive: true });
        copyFileSync(path, join(dir, `${name}.png`));
      }
    }
    await page.close();
  });
});
