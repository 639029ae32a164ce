// `npm run demo` end to end, as root (as in CI): collectors in network namespaces on the emulated
// WAN (testbed's WAN emulator; no netem here, no real network), a real QuestDB, the live page in
// headless Chromium. What the collectors stored is compared with the delays the demo set.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectedRoundTripMs,
  freeLoopbackPort,
  launchChromium,
  median,
  screenshotPath,
  type BusyClock,
  type PathModel,
} from '@pingsphere/testbed';
import type { DemoScenario } from '../demo/emulated-sites.js';
import { DemoRun } from './demo-run.js';

const demoDir = mkdtempSync(join(tmpdir(), 'pingsphere-demo-test-'));
let env: Record<string, string>;
let demo: DemoRun;
let scenario: DemoScenario;
let consoleUrl: string;
let liveUrl: string;
/** Per directed HTTP pair ("site → site"): what was measured and what the model gives at those times. */
let httpPairs: Map<string, PairCheck>;

async function sql(query: string): Promise<unknown[][]> {
  const response = await fetch(`${consoleUrl}/exec?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { dataset?: unknown[][]; error?: string };
  if (body.error) throw new Error(`${query}: ${body.error}`);
  return body.dataset ?? [];
}

const netnsNames = () =>
  execFileSync('ip', ['netns', 'list'])
    .toString()
    .split('\n')
    .map((l) => l.split(' ')[0]!);

/** Which site an address belongs to (a collector or one of a site's targets). */
function siteOf(address: string): string | undefined {
  return scenario.sites.find((s) => s.collector === address || s.targets.includes(address))?.site;
}

function pathOf(from: string, to: string): PathModel {
  return scenario.paths.find((p) => p.from === from && p.to === to)!.path;
}

interface PairCheck {
  pair: string;
  samples: number;
  measuredP50: number;
  expectedP50: number;
}

/** Per directed (src site → dst site) pair: the p50 measured beside the p50 of what was set at each sample's time. */
function comparePairs(rows: { ts: number; src: string; dst: string; ms: number }[]): PairCheck[] {
  const clock = scenario.compressedDay as BusyClock;
  const byPair = new Map<string, { measured: number[]; expected: number[] }>();
  for (const row of rows) {
    const from = siteOf(row.src);
    const to = siteOf(row.dst);
    if (!from || !to || row.src === row.dst) continue;
    const key = `${from} → ${to}`;
    const entry = byPair.get(key) ?? { measured: [], expected: [] };
    entry.measured.push(row.ms);
    entry.expected.push(expectedRoundTripMs(pathOf(from, to), row.ts, clock));
    byPair.set(key, entry);
  }
  return [...byPair].map(([pair, { measured, expected }]) => ({
    pair,
    samples: measured.length,
    measuredP50: median(measured),
    expectedP50: median(expected),
  }));
}

beforeAll(async () => {
  env = {
    PINGSPHERE_DEMO_DIR: demoDir,
    PINGSPHERE_DEMO_PORT: String(await freeLoopbackPort()),
    PINGSPHERE_DEMO_PAGE_PORT: String(await freeLoopbackPort()),
  };
});

afterAll(() => {
  demo?.killGroup();
  rmSync(demoDir, { recursive: true, force: true });
});

describe('npm run demo (as root: collectors in namespaces on the emulated WAN; the WAN is our userspace emulator, not netem)', () => {
  it('starts cleanly after a kill -9 of an earlier run, removing exactly what that run left', async () => {
    const first = new DemoRun(env);
    try {
      await first.waitFor('collector Frankfurt,DE ready');
    } finally {
      if (first.running) await first.killHard();
    }
    const left = netnsNames().filter((n) => n.startsWith(`psdemo-${first.pid}-`));
    expect(left.length).toBeGreaterThanOrEqual(8); // router, 6 cities, the targets' responder
    const record = JSON.parse(readFileSync(join(demoDir, 'run.json'), 'utf8')) as {
      processes: { name: string; pid: number }[];
    };
    expect(record.processes.map((p) => p.name)).toEqual(
      expect.arrayContaining(['QuestDB', 'wan-emulator', 'collector Frankfurt,DE']),
    );

    demo = new DemoRun(env);
    await demo.waitFor('all up');
    expect(demo.output).toContain(`removed ${left.length} network namespaces a killed demo left`);
    for (const name of left) expect(demo.output).toContain(name);
    expect(netnsNames().filter((n) => n.startsWith(`psdemo-${first.pid}-`))).toEqual([]);
    // What the killed run started is gone: by the kernel's parent-death signal, or by this run.
    for (const { pid } of record.processes) {
      const state = (() => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];
        } catch {
          return 'gone';
        }
      })();
      expect(['gone', 'Z']).toContain(state);
    }
  });

  it('runs every collector in its own namespace on the emulated WAN and prints the delays it set beside the URLs', async () => {
    const output = demo.output;
    expect(output).not.toContain('no emulated WAN');
    expect(output).toMatch(/emulated WAN up: 6 collector namespaces and 360 ICMP targets in 9 cities/);
    expect(output).toContain('mesh complete through addpeers discovery: every collector pings the other 5');
    consoleUrl = /console (http:\/\/\S+)/.exec(output)![1]!;
    liveUrl = /live view \([^)]*\): (http:\/\/\S+)/.exec(output)![1]!;
    scenario = JSON.parse(readFileSync(join(demoDir, 'scenario.json'), 'utf8')) as DemoScenario;
    expect(scenario.mode).toBe('wan');
    const collectors = scenario.sites.filter((s) => s.collector);
    expect(collectors).toHaveLength(6);
    expect(new Set(scenario.sites.map((s) => s.location.split(',')[1])).size).toBeGreaterThanOrEqual(5);

    // The printed table is the model: FRA → SIN as set (rows = the pinging collector).
    const fraSin = expectedRoundTripMs(pathOf('frankfurt', 'singapore'), 0);
    const header = output.split('\n').find((l) => /FRA\s+LON\s+NYC/.test(l))!;
    const fraRow = output.split('\n').find((l) => /\[demo\]\s+FRA\s+\d/.test(l))!;
    const column = header.indexOf('SIN') + 3;
    expect(Number(fraRow.slice(column - 6, column).trim())).toBeCloseTo(fraSin, 1);

    // Each collector is reachable from the host through its relay and lists the other five.
    const apiUrls = [
      ...output.matchAll(/ready: (http:\/\/127\.0\.0\.1:\d+)\/v1\/peers {2}\(in the WAN at ([\d.]+)\)/g),
    ];
    expect(apiUrls).toHaveLength(6);
    for (const [, api, address] of apiUrls) {
      const peers = ((await (await fetch(`${api}/v1/peers`)).json()) as { Peers: { Url: string }[] }).Peers;
      const others = collectors
        .filter((c) => c.collector !== address)
        .map((c) => new URL(`http://${c.collector}`).host);
      expect(peers.map((p) => new URL(p.Url).hostname).sort()).toEqual(others.sort());
    }
    // Each runs in a namespace of its own, with only its link to the router.
    const own = netnsNames().filter((n) => n.startsWith(`psdemo-${demo.pid}-`));
    const roles = own.map((n) => n.split('-').slice(3).join('-'));
    expect(roles.sort()).toEqual([...collectors.map((s) => s.site), 'router', 'targets'].sort());
  });

  it("stores RTTs that match the delays set: each pair's p50 within 10 % + 1 ms of its round trip, HTTP and ICMP", async () => {
    const since = new Date(scenario.compressedDay!.sinceMs).toISOString();
    // Enough samples for every directed HTTP pair (30) and ICMP to every site from every collector.
    let httpRows: unknown[][] = [];
    let icmpRows: unknown[][] = [];
    const firstTargets = scenario.sites.map((s) => s.targets[0]!);
    const collectorAddresses = scenario.sites.flatMap((s) => (s.collector ? [s.collector] : []));
    const dsts = [...firstTargets, ...collectorAddresses].map((a) => `'${a}'`).join(',');
    for (let i = 0; i < 120; i++) {
      httpRows = await sql(`select ts, src, dst_ip, connect_ms from http where ok and ts >= '${since}'`);
      icmpRows = await sql(`select ts, src, dst, rtt_ms from icmp where ts >= '${since}' and dst in (${dsts})`);
      const perPair = new Map<string, number>();
      for (const [, src, dst] of httpRows) perPair.set(`${src}>${dst}`, (perPair.get(`${src}>${dst}`) ?? 0) + 1);
      const sweeps = new Map<string, number>();
      for (const [, src, dst] of icmpRows) sweeps.set(`${src}>${dst}`, (sweeps.get(`${src}>${dst}`) ?? 0) + 1);
      if (perPair.size === 30 && Math.min(...perPair.values()) >= 8 && sweeps.size === 6 * 15) {
        if (Math.min(...sweeps.values()) >= 5) break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const rows = (data: unknown[][]) =>
      data
        .filter((r) => r[3] !== null)
        .map(([ts, src, dst, ms]) => ({
          ts: Date.parse(String(ts)),
          src: String(src),
          dst: String(dst),
          ms: Number(ms),
        }));
    const http = comparePairs(rows(httpRows));
    const icmp = comparePairs(rows(icmpRows));
    httpPairs = new Map(http.map((c) => [c.pair, c]));
    const report = (checks: PairCheck[]) =>
      checks
        .map((c) => `${c.pair}: ${c.measuredP50.toFixed(2)} vs ${c.expectedP50.toFixed(2)} ms (${c.samples})`)
        .join('\n');
    expect(http, report(http)).toHaveLength(30);
    expect(icmp, report(icmp)).toHaveLength(6 * 9);
    const details = `HTTP (connect):\n${report(http)}\nICMP:\n${report(icmp)}`;
    // ICMP round trips come from kernel time stamps: compared as they are. HTTP connect times are
    // taken in each collector's event loop, which a loaded machine delays by a few ms for every
    // pair alike; that common offset (the median over the 30 pairs, measured in this run) is
    // bounded and removed first, so what is compared per pair is the delay the emulator set.
    const offset = median(http.map((c) => c.measuredP50 - c.expectedP50));
    expect(offset, details).toBeGreaterThan(-0.5);
    expect(offset, details).toBeLessThan(5);
    for (const [family, checks, shift] of [
      ['HTTP', http, offset],
      ['ICMP', icmp, 0],
    ] as const) {
      for (const check of checks) {
        const samples = family === 'HTTP' ? 8 : 5;
        expect(check.samples, `${family} ${check.pair}`).toBeGreaterThanOrEqual(samples);
        expect(
          Math.abs(check.measuredP50 - shift - check.expectedP50),
          `${family} ${check.pair} (HTTP offset ${offset.toFixed(2)} ms)\n${details}`,
        ).toBeLessThanOrEqual(0.1 * check.expectedP50 + 1);
      }
    }

    // The lossy pair loses about 1 − 0.98² ≈ 4 % of its ICMP round trips; a clean one none.
    const loss = async (src: string, site: string) => {
      const targets = scenario.sites
        .find((s) => s.site === site)!
        .targets.map((a) => `'${a}'`)
        .join(',');
      const [[lost, all]] = (await sql(
        `select sum(case when rtt_ms is null then 1 else 0 end), count() from icmp where ts >= '${since}' and src = '${src}' and dst in (${targets})`,
      )) as [[number, number]];
      return lost / all;
    };
    const address = (site: string) => scenario.sites.find((s) => s.site === site)!.collector!;
    const lossy = await loss(address('singapore'), 'sydney');
    expect(lossy).toBeGreaterThan(0.005);
    expect(lossy).toBeLessThan(0.12);
    expect(await loss(address('frankfurt'), 'london')).toBeLessThan(0.005);
  });

  it('shows the asymmetric pair in the matrix asymmetry mode, the WAN on the map and the compressed day; keeps screenshots', async () => {
    const browser = await launchChromium();
    try {
      const open = async (query: string): Promise<Page> => {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${liveUrl.split('?')[0]}?${query}`);
        await page.waitForFunction(() => document.body.dataset.state !== undefined, null, { timeout: 30_000 });
        expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
        expect(errors).toEqual([]);
        return page;
      };
      const page = await open('family=http&stat=p50&mode=asymmetry');
      expect(await page.textContent('[data-testid="scenario-note"]')).toContain('the first packet of a flow');
      expect(await page.getAttribute('[data-testid="matrix-canvas"]', 'aria-label')).toBe('latency matrix 6 × 6');

      // Hover every cell and read its tooltip: "A (loc) ↔ B (loc)", both directions, A→B − B→A.
      const [gx, gy, cell] = (await page.getAttribute('[data-testid="matrix-canvas"]', 'data-grid'))!
        .split(',')
        .map(Number);
      const box = (await page.locator('[data-testid="matrix-overlay"]').boundingBox())!;
      const shown = new Map<string, number>();
      for (let row = 0; row < 6; row++) {
        for (let col = 0; col < 6; col++) {
          if (row === col) continue;
          await page.mouse.move(box.x + gx! + (col + 0.5) * cell!, box.y + gy! + (row + 0.5) * cell!);
          const lines = await page.locator('[data-testid="matrix-tooltip"] > div').allTextContents();
          const pair = /^(\S+) \(.*\) ↔ (\S+) \(/.exec(lines[0] ?? '');
          // Grafana's unit display: "70.3 ms", "450 µs", "1.05 s".
          const value = /^asymmetry \(A→B − B→A\): (-?[\d.]+) (µs|ms|s)$/.exec(lines[3] ?? '');
          const ms = value
            ? Number(value[1]) * { µs: 0.001, ms: 1, s: 1000 }[value[2] as 'µs' | 'ms' | 's']
            : undefined;
          if (pair && ms !== undefined) shown.set(`${siteOf(pair[1]!)} → ${siteOf(pair[2]!)}`, ms);
        }
      }
      expect([...shown.keys()].sort()).toEqual([...httpPairs.keys()].sort());
      // Each cell against the model at the times of the samples (the busy hours of the two ends
      // tilt a pair a little); its p50s were checked against the model above.
      for (const [pair, ms] of shown) {
        const [a, b] = pair.split(' → ') as [string, string];
        const there = httpPairs.get(`${a} → ${b}`)!.expectedP50;
        const back = httpPairs.get(`${b} → ${a}`)!.expectedP50;
        expect(
          Math.abs(ms - (there - back)),
          `${pair}: shown ${ms} ms, modelled ${(there - back).toFixed(1)} ms`,
        ).toBeLessThanOrEqual(0.1 * Math.max(there, back) + 2);
      }
      // The pair modelled asymmetric stands out: flows opened in Singapore take a path 70 ms longer.
      expect(shown.get('singapore → frankfurt')).toBeGreaterThan(40);
      expect(shown.get('frankfurt → singapore')).toBeLessThan(-40);
      expect(Math.abs(shown.get('frankfurt → london')!)).toBeLessThan(6);
      await page.mouse.move(0, 0);
      await page
        .locator('[data-testid="section-matrix"]')
        .screenshot({ path: screenshotPath('demo-matrix-asymmetry') });
      await page.close();

      const value = await open('family=http&stat=p50');
      expect(await value.textContent('[data-testid="geomap-note"]')).toBe('6 nodes, 30 directed links');
      await value.locator('[data-testid="section-geomap"]').screenshot({ path: screenshotPath('demo-map') });
      await value.screenshot({ path: screenshotPath('demo-live-page'), fullPage: true });
      await value.close();

      // ICMP between the collectors (the link the demo prints): the same 6 × 6 mesh.
      const between = /ICMP between the collectors: (http:\/\/\S+)/.exec(demo.output)![1]!;
      const icmp = await open(new URL(between).search.slice(1));
      expect(await icmp.getAttribute('[data-testid="matrix-canvas"]', 'aria-label')).toBe('latency matrix 6 × 6');
      expect(await icmp.textContent('[data-testid="geomap-note"]')).toBe('6 nodes, 30 directed links');
      await icmp.close();

      // One pair's time of day on the compressed clock: a minute of the demo is hours of it. At
      // least 70 s of data (7 emulated hours, the first few before the mesh is complete).
      const sinceMs = scenario.compressedDay!.sinceMs;
      if (Date.now() < sinceMs + 70_000) await new Promise((r) => setTimeout(r, sinceMs + 70_000 - Date.now()));
      const fra = scenario.sites.find((s) => s.site === 'frankfurt')!.collector!;
      const sin = scenario.sites.find((s) => s.site === 'singapore')!.collector!;
      const pair = await open(`family=http&stat=p50#pair=${fra}|${sin}`);
      expect(await pair.textContent('[data-testid="timeofday-title"]')).toContain('emulated clock: 1 day = 4 min');
      const hoursWithData = await pair.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="timeofday-canvas"]')!;
        const ctx = canvas.getContext('2d')!;
        const ratio = canvas.width / canvas.clientWidth;
        const cellW = (canvas.clientWidth - 78) / 24;
        const hours = new Set<number>();
        for (let h = 0; h < 24; h++) {
          for (let y = 20; y < canvas.clientHeight; y += 4) {
            const alpha = ctx.getImageData(Math.round((78 + (h + 0.5) * cellW) * ratio), Math.round(y * ratio), 1, 1)
              .data[3];
            if (alpha === 255) hours.add(h);
          }
        }
        return hours.size;
      });
      // This test's minute or two of data would fill one or two hours on the wall clock; on the
      // emulated one (1 hour = 10 s) it fills several.
      expect(hoursWithData).toBeGreaterThanOrEqual(4);
      await pair.locator('[data-testid="section-timeofday"]').screenshot({ path: screenshotPath('demo-time-of-day') });
      await pair.close();
    } finally {
      await browser.close();
    }
  });

  it('stops everything on Ctrl-C: exit 0, its namespaces removed, QuestDB and the collectors gone', async () => {
    const apiUrls = [...demo.output.matchAll(/ready: (http:\/\/\S+\/v1\/peers)/g)].map((m) => m[1]!);
    demo.interrupt();
    expect(await demo.exited).toBe(0);
    expect(demo.output).toContain('stopped cleanly');
    expect(netnsNames().filter((n) => n.startsWith(`psdemo-${demo.pid}-`))).toEqual([]);
    await expect(fetch(`${consoleUrl}/exec?query=select%201`)).rejects.toThrow();
    for (const url of apiUrls) await expect(fetch(url)).rejects.toThrow();
    expect(demo.output).not.toMatch(/error/i);
  });
});
