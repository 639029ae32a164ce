// Targets-file parsing, side by side in one run (issue 12's goal: 1 M target lines in ≤ 0.5 s):
//   whole process — a running collector re-reads a 1 M-line file on SIGHUP: SIGHUP to the log line
//                   that the new list is in place (inside a fresh network namespace; the collector
//                   sweeps slowly meanwhile, loopback only);
//   parse         — readTargetsFile (this repo) beside the reader it replaced (readline, a regex per
//                   line, parseTargetSpec, a packed list: the anchor, in parse-once.ts) and the floor
//                   of any JavaScript reader (read the file, decode it, split it into lines), each in
//                   a fresh process so no run inherits another's heap.
// Files: 1 M plain addresses, 1 M labelled lines (the inventory fixture), in bench/out/targets/.
// Prints a markdown table of medians and ratios; record it in bench/RESULTS.md.
//
//   npx tsx bench/targets/run.ts [--repeat N]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, NetworkNamespace, repoRoot } from '@pingsphere/testbed';
import { writeFixtureTargetsFile } from '../../collector/test/fixtures/inventory-fixture.js';
import { startCollectorIn } from '../../collector/test/helpers/processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(repoRoot, 'bench', 'out', 'targets');
const repeatArg = process.argv.indexOf('--repeat');
const repeat = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 5;
const lines = 1_000_000;

function log(message: string): void {
  process.stderr.write(`[bench:targets] ${message}\n`);
}

interface Parsed {
  ms: number;
  cpuMs: number;
  count: number;
  rssMb: number;
  /** The whole child process, node and tsx start included. */
  wallMs: number;
}

/** One parse in a fresh process (a clean heap each time; see parse-once.ts). */
function parseOnce(reader: 'ours' | 'previous' | 'floor', path: string): Parsed {
  const started = performance.now();
  const output = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'parse-once.ts'), reader, path], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  return { ...(JSON.parse(output) as Omit<Parsed, 'wallMs'>), wallMs: performance.now() - started };
}

async function inProcess(name: string, path: string, withAnchor: boolean): Promise<string[]> {
  const readers = withAnchor ? (['ours', 'previous', 'floor'] as const) : (['ours', 'floor'] as const);
  const runs = new Map<string, Parsed[]>(readers.map((reader) => [reader, []]));
  for (let round = 0; round < repeat; round++) {
    for (const reader of readers) runs.get(reader)!.push(parseOnce(reader, path));
  }
  const summary = (reader: string) => {
    const list = runs.get(reader)!;
    return {
      ms: median(list.map((r) => r.ms)),
      cpuMs: median(list.map((r) => r.cpuMs)),
      wallMs: median(list.map((r) => r.wallMs)),
      rssMb: median(list.map((r) => r.rssMb)),
      count: list[0]!.count,
    };
  };
  const ours = summary('ours');
  const labels: Record<string, string> = {
    ours: 'readTargetsFile (this repo)',
    previous: 'previous reader (readline + parseTargetSpec)',
    floor: 'floor (read + decode + split, nothing parsed)',
  };
  const rows = readers.map((reader) => {
    const r = summary(reader);
    return `| ${name}: ${labels[reader]} | ${r.count.toLocaleString('en')} | ${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms) | ${(r.ms / ours.ms).toFixed(2)} | ${r.wallMs.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB |`;
  });
  log(`${name}: ours ${ours.ms.toFixed(0)} ms (CPU ${ours.cpuMs.toFixed(0)} ms)`);
  return rows;
}

/** SIGHUP → "targets in place" in a running collector, `repeat` times; its RSS after. */
async function wholeProcess(path: string): Promise<string[]> {
  const ns = await NetworkNamespace.create('pingsphere-bench');
  const collector = startCollectorIn(ns, [
    '-s',
    '8080',
    '--icmp-targets',
    path,
    '--icmp-interval',
    '3600',
    '--icmp-rate',
    '2000',
    '--spool-dir',
    join(outDir, 'spool'),
    '--targets-state',
    join(outDir, 'state.ndjson'),
  ]);
  try {
    const loaded = /ICMP targets: \S+: (\d+) targets/;
    await collector.waitFor(() => loaded.test(collector.stderr), 120_000, 'the first read');
    await collector.waitFor(() => /serving http/.test(collector.stderr), 120_000, 'the collector to be up');
    const reloads: number[] = [];
    for (let round = 0; round < repeat; round++) {
      const seen = collector.stderr.split('(unchanged)').length;
      const started = performance.now();
      collector.signal('SIGHUP');
      await collector.waitFor(() => collector.stderr.split('(unchanged)').length > seen, 120_000, 'the reload');
      reloads.push(performance.now() - started);
    }
    const status = readFileSync(`/proc/${collector.pid}/status`, 'utf8');
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    const reload = median(reloads);
    log(`SIGHUP reload of ${lines} labelled lines: ${reload.toFixed(0)} ms, collector RSS ${rssMb.toFixed(0)} MB`);
    return [
      `| collector: SIGHUP → new list in place (whole process) | ${lines.toLocaleString('en')} labelled | ${reload.toFixed(0)} ms | | RSS ${rssMb.toFixed(0)} MB |`,
    ];
  } finally {
    await collector.stop();
    await ns.dispose();
  }
}

mkdirSync(outDir, { recursive: true });
const plain = join(outDir, 'plain-1m.txt');
const labelled = join(outDir, 'labelled-1m.txt');
const plainText = Array.from({ length: lines }, (_, i) => `198.${18 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}`).join(
  '\n',
);
writeFileSync(plain, `${plainText}\n`);
writeFixtureTargetsFile(labelled, { targets: lines, groups: 200 });
log(`files in ${outDir}; ${repeat} rounds each`);

const rows = [
  ...(await wholeProcess(labelled)),
  ...(await inProcess('1 M plain lines', plain, true)),
  ...(await inProcess('1 M labelled lines', labelled, false)),
];
const header = [
  `Targets file parsing, ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, median of ${repeat}`,
  '',
  '| measurement | lines | parse time | ÷ ours | child process (node + tsx start), RSS |',
  '| --- | --- | --- | --- | --- |',
];
process.stdout.write(`${[...header, ...rows].join('\n')}\n`);
