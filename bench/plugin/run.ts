// `npm run bench:plugin`: render time of the latency matrix in headless Chromium at 50, 200 and
// 500 collectors (n × n pairs), our canvas panel beside the same matrix drawn as one React SVG
// <rect> per cell (how a DOM heatmap draws). Each render starts from an unmounted panel and ends
// at the next animation frame after a forced layout (harness/src/bench-page.tsx). Also the cost of
// one mouse move over the canvas (tooltip + hover outline). Writes bench/out/plugin.md.
//
//   npm run bench:plugin -- [--repeats 9] [--sizes 50,200,500] [--baseline DIR]
//
// --baseline DIR: also render the matrix of another build of the harness pages (e.g. a copy of
// harness/dist built from an earlier commit), interleaved with this one in the same run, and add
// its median and the ratio to the table: how a change moved the numbers, on one machine and load.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, median, repoRoot } from '@pingsphere/testbed';
import { serveLivePage } from '../../grafana-plugin/harness/server.js';

declare global {
  interface Window {
    /** Defined by grafana-plugin/harness/src/bench-page.tsx. */
    benchMatrix: (
      n: number,
      repeats: number,
      variant: 'canvas' | 'svg',
    ) => Promise<{ renderMs: number[]; hoverMs: number[] }>;
  }
}

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '9' },
    sizes: { type: 'string', default: '50,200,500' },
    baseline: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
const sizes = values.sizes.split(',').map(Number);
if (!(repeats >= 3) || sizes.some((n) => !(n >= 2))) {
  process.stderr.write('bench:plugin: --repeats must be at least 3 and --sizes a list of numbers ≥ 2\n');
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`[bench:plugin] ${line}\n`);
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

interface Row {
  n: number;
  canvasMs: number;
  canvasMaxMs: number;
  svgMs: number;
  hoverMs: number;
  baselineMs?: number;
}

const page = await serveLivePage();
const baselinePage = values.baseline ? await serveLivePage({ distDir: values.baseline }) : undefined;
const browser = await launchChromium();
const rows: Row[] = [];
try {
  const tab = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
  await tab.goto(`${page.url}bench.html`);
  await tab.waitForFunction(() => document.body.dataset.state === 'ready');
  const baselineTab = baselinePage ? await browser.newPage({ viewport: { width: 1000, height: 1000 } }) : undefined;
  if (baselineTab) {
    await baselineTab.goto(`${baselinePage!.url}bench.html`);
    await baselineTab.waitForFunction(() => document.body.dataset.state === 'ready');
  }
  for (const n of sizes) {
    say(`${n} × ${n}: canvas panel, ${repeats} renders (+2 warm-up)`);
    // With a baseline, this build and the baseline take turns, three renders at a time.
    const canvasMs: number[] = [];
    const baselineMs: number[] = [];
    let hoverMs: number[] = [];
    for (let done = 0; done < repeats; done += 3) {
      const batch = Math.min(3, repeats - done);
      const canvas = await tab.evaluate(([size, r]) => window.benchMatrix(size, r + 2, 'canvas'), [n, batch] as const);
      canvasMs.push(...canvas.renderMs.slice(2));
      hoverMs = [...hoverMs, ...canvas.hoverMs.slice(2)];
      if (baselineTab) {
        const base = await baselineTab.evaluate(([size, r]) => window.benchMatrix(size, r + 2, 'canvas'), [
          n,
          batch,
        ] as const);
        baselineMs.push(...base.renderMs.slice(2));
      }
    }
    // SVG at 500 × 500 is 250,000 React elements per render: fewer repeats keep the run short.
    const svgRepeats = n >= 500 ? 3 : repeats;
    say(`${n} × ${n}: SVG <rect> per cell, ${svgRepeats} renders (+1 warm-up)`);
    const svg = await tab.evaluate(([size, r]) => window.benchMatrix(size, r + 1, 'svg'), [n, svgRepeats] as const);
    rows.push({
      n,
      canvasMs: median(canvasMs),
      canvasMaxMs: Math.max(...canvasMs),
      svgMs: median(svg.renderMs.slice(1)),
      hoverMs: median(hoverMs),
      ...(baselineTab ? { baselineMs: median(baselineMs) } : {}),
    });
  }
  await tab.close();
  await baselineTab?.close();
} finally {
  await browser.close();
  await page.close();
  await baselinePage?.close();
}

const chromium = JSON.parse(readFileSync(join(repoRoot, 'node_modules/playwright-core/package.json'), 'utf8')) as {
  version: string;
};
const lines = [
  `Run ${new Date().toISOString().slice(0, 10)} with \`npm run bench:plugin\` on ${cpus().length} cores (${cpus()[0]?.model.trim()}),`,
  `Node ${process.versions.node}, headless Debian Chromium (${browser.version()}) via playwright-core ${chromium.version}; panel 900 × 934 px.`,
  '',
  '| collectors | pairs | canvas panel ms (median) | canvas worst | SVG rect per cell ms (median) | SVG ÷ canvas | mouse move ms (median) | 200 × 200 target < 100 ms |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${(r.n * (r.n - 1)).toLocaleString('en-US')} | ${fmt(r.canvasMs)} | ${fmt(r.canvasMaxMs)} | ${fmt(r.svgMs)} | ${(r.svgMs / r.canvasMs).toFixed(1)}× | ${r.hoverMs.toFixed(2)} | ${r.n === 200 ? (r.canvasMs < 100 ? 'met' : '**not met**') : ''} |`,
  ),
  ...(values.baseline
    ? [
        '',
        `Baseline (--baseline ${values.baseline}), interleaved with this build in the same run:`,
        '',
        '| collectors | this build ms (median) | baseline ms (median) | this ÷ baseline |',
        '| ---: | ---: | ---: | ---: |',
        ...rows.map(
          (r) => `| ${r.n} | ${fmt(r.canvasMs)} | ${fmt(r.baselineMs!)} | ${(r.canvasMs / r.baselineMs!).toFixed(2)} |`,
        ),
      ]
    : []),
];
const outDir = join(repoRoot, 'bench/out');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'plugin.md'), lines.join('\n') + '\n');
process.stdout.write(`\n${lines.join('\n')}\n\n`);
say(`table written to ${join(outDir, 'plugin.md')}`);
