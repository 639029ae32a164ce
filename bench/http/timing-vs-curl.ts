// `npm run bench:http-timing`: how closely our timing breakdown agrees with curl -w, request for
// request on the same local paced server (the sub-millisecond agreement that the unit test in
// collector/test/timing no longer judges: on a shared machine it is a measurement, not a pass/fail).
// Per stage: each tool's median and the median of the run-by-run differences; for totals also the
// fastest run of each (the floor: load only adds to a total, while it can shorten a stage by
// stamping its start late). Writes bench/out/http-timing.md.
//
//   npm run bench:http-timing -- [--runs 101]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, repoRoot } from '@pingsphere/testbed';
import type { TimedResponse } from '../../collector/src/http/timed-request.js';
import { measureBesideCurl, type CurlTimes } from '../../collector/test/helpers/curl-timings.js';
import { makeCertificate, startPacedServer } from '../../collector/test/helpers/processes.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '101' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('bench:http-timing: --runs must be a whole number >= 1\n');
  process.exit(2);
}

interface Stage {
  name: string;
  /** A whole request (load only lengthens it), so its floor means something. */
  total?: boolean;
  ours: (r: TimedResponse) => number;
  curl: (c: CurlTimes) => number;
}

const stages: Stage[] = [
  { name: 'total', total: true, ours: (r) => r.totalMs, curl: (c) => c.total },
  {
    name: 'total without TLS',
    total: true,
    ours: (r) => r.totalMs - r.tlsMs,
    curl: (c) => c.total - (c.appconnect > 0 ? c.appconnect - c.connect : 0),
  },
  { name: 'connect', ours: (r) => r.connectMs, curl: (c) => c.connect - c.namelookup },
  { name: 'TLS', ours: (r) => r.tlsMs, curl: (c) => (c.appconnect > 0 ? c.appconnect - c.connect : 0) },
  { name: 'TTFB', ours: (r) => r.ttfbMs, curl: (c) => c.starttransfer - c.pretransfer },
  { name: 'close', ours: (r) => r.closeMs, curl: (c) => c.total - c.starttransfer },
];

const ms = (value: number) => value.toFixed(3);

const certificate = await makeCertificate(['localhost']);
const [plain, secure] = await Promise.all([
  startPacedServer({ hosts: ['127.0.0.1'], headerDelayMs: 20, bodyDelayMs: 30, quiet: true }),
  startPacedServer({ hosts: ['127.0.0.1'], headerDelayMs: 20, bodyDelayMs: 30, quiet: true, tls: certificate }),
]);
const ca = readFileSync(certificate.cert, 'utf8');
const cases = [
  { name: 'HTTP, immediate answer', url: `http://127.0.0.1:${plain.port}/fast` },
  { name: 'HTTP, paced 20 + 30 ms', url: `http://127.0.0.1:${plain.port}/paced` },
  { name: 'HTTPS (localhost), immediate', url: `https://localhost:${secure.port}/fast`, tls: true },
];

const rows: string[] = [];
const loadBefore = loadavg()[0]!;
try {
  for (const benchCase of cases) {
    process.stdout.write(`[bench:http-timing] ${benchCase.name}: ${runs} runs of each tool\n`);
    const { ours, theirs } = await measureBesideCurl(benchCase.url, {
      runs,
      ...(benchCase.tls ? { ca, curlArgs: ['--cacert', certificate.cert] } : {}),
    });
    const failed = ours.filter((r) => r.error !== '').length;
    if (failed > 0) throw new Error(`${failed} of our requests to ${benchCase.url} failed`);
    for (const stage of stages) {
      if ((stage.name === 'TLS' || stage.name === 'total without TLS') && !benchCase.tls) continue;
      const offset = median(ours.map((r, i) => stage.ours(r) - stage.curl(theirs[i]!)));
      const floors = stage.total
        ? `${ms(Math.min(...ours.map(stage.ours)))} | ${ms(Math.min(...theirs.map(stage.curl)))}`
        : '— | —';
      rows.push(
        `| ${benchCase.name} | ${stage.name} | ${ms(median(ours.map(stage.ours)))} | ${ms(median(theirs.map(stage.curl)))} | ${ms(offset)} | ${floors} |`,
      );
    }
  }
} finally {
  await Promise.all([plain.stop(), secure.stop()]);
  certificate.dispose();
}

const table = [
  `Timing breakdown vs curl -w, ${runs} interleaved runs per case, ${new Date().toISOString()}, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after.`,
  'Paired offset: the median of (ours − curl), run by run. Floors: the fastest run of each tool (totals only). Milliseconds.',
  '',
  '| case | stage | ours, median | curl, median | paired offset | ours, floor | curl, floor |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n');
const outDir = join(repoRoot, 'bench/out');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'http-timing.md'), table);
process.stdout.write(`${table}\n[bench:http-timing] written to bench/out/http-timing.md\n`);
