// `npm run bench:trace`: `pingsphere trace` of 1,000 targets over the router chain (testbed
// RouterChain: 7 hops, a WAN-emulator delay on one link, ECMP, a silent hop) in one run, beside
// `mtr --report` of one target, in the same run on the same chain. Whole-process wall time
// (/usr/bin/time) first, the engine's own time and the probes sent beside it. mtr traces one
// target per run, so "1,000 × mtr" is its one-target time times 1,000 (not run: hours). As root:
// everything is sent inside the chain's namespaces. Prints a markdown table and writes
// bench/out/trace/results.json.
//
//   npm run bench:trace -- [--targets 1000] [--repeat 3] [--rate 10000]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { median, repoRoot, RouterChain, type NetworkNamespace } from '@pingsphere/testbed';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '3' },
    rate: { type: 'string', default: '10000' },
  },
});
const targetCount = Number(values.targets);
const repeat = Number(values.repeat);
const rate = Number(values.rate);
if (!(targetCount >= 1 && targetCount <= 65_000) || !(repeat >= 1) || !(rate >= 1)) {
  process.stderr.write('bench:trace: --targets 1-65000, --repeat ≥ 1, --rate ≥ 1 probes/s\n');
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`[bench:trace] ${line}\n`);
const outDir = join(repoRoot, 'bench', 'out', 'trace');
mkdirSync(outDir, { recursive: true });
const bin = join(repoRoot, 'collector', 'bin', 'pingsphere');
// The same per-hop probes and timeout for both tools: 3 per hop, up to 30 hops, 1 s.
const probesPerHop = 3;
const maxHops = 30;
const timeoutS = 1;

async function timed(ns: NetworkNamespace, command: string[]) {
  const timeFile = join(outDir, 'time.txt');
  const result = await ns.exec('/usr/bin/time', ['-f', '%M %e', '-o', timeFile, ...command], { timeoutMs: 600_000 });
  const [rssKb = '0', wall = '0'] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2);
  if (result.exitCode !== 0) throw new Error(`${command.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return { ...result, wallS: Number(wall), peakRssMb: Number(rssKb) / 1024 };
}

interface Row {
  tool: string;
  targets: number;
  wallS: number;
  engineS: number | null;
  probesSent: number;
  reached: string;
  peakRssMb: number;
}

async function pingsphereTrace(ns: NetworkNamespace, targetsFile: string, targets: number): Promise<Row> {
  const args = ['-q', String(probesPerHop), '--max-hops', String(maxHops), '--rate', String(rate)];
  const r = await timed(ns, [
    'sh',
    '-c',
    'exec "$0" "$@" > /dev/null',
    bin,
    'trace',
    '--json',
    ...args,
    '-t',
    String(timeoutS * 1000),
    '-f',
    targetsFile,
  ]);
  // The summary line (progress lines before it say "probes sent" too).
  const summary = r.stderr.split('\n').find((line) => line.startsWith('trace: ')) ?? '';
  const sent = /(\d+) probes sent/.exec(summary);
  const seconds = /time stamps; ([\d.]+) s/.exec(summary);
  const reached = /(\d+\/\d+) reached/.exec(summary);
  if (!sent || !seconds || !reached) throw new Error(`no summary from pingsphere trace: ${r.stderr}`);
  return {
    tool: 'pingsphere trace',
    targets,
    wallS: r.wallS,
    engineS: Number(seconds[1]),
    probesSent: Number(sent[1]),
    reached: reached[1]!,
    peakRssMb: r.peakRssMb,
  };
}

async function mtrReport(ns: NetworkNamespace, target: string): Promise<Row> {
  // --interval 0.1 (root may go below 1 s) and a grace time equal to our timeout.
  const r = await timed(ns, [
    'mtr',
    '--report',
    '--no-dns',
    '--report-cycles',
    String(probesPerHop),
    '--interval',
    '0.1',
    '--gracetime',
    String(timeoutS),
    '--max-ttl',
    String(maxHops),
    target,
  ]);
  // Report lines: "  3.|-- 198.18.102.2   0.0%     3   30.4  30.5 …" — Snt is the 3rd column.
  const hops = r.stdout.split('\n').filter((line) => /^\s*\d+\.\|--/.test(line));
  const probes = hops.reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[3] ?? 0), 0);
  const reached = hops.at(-1)?.includes(target) ? '1/1' : '0/1';
  return {
    tool: 'mtr --report',
    targets: 1,
    wallS: r.wallS,
    engineS: null,
    probesSent: probes,
    reached,
    peakRssMb: r.peakRssMb,
  };
}

const uptime = execFileSync('uptime').toString().trim();
say(`uptime before: ${uptime}`);
const chain = await RouterChain.create({ prefix: 'psbenchtrace', targets: targetCount, delayMs: 10 });
const runs: Row[][] = [];
try {
  const many = join(outDir, 'targets.txt');
  writeFileSync(many, `${chain.targetsV4.join('\n')}\n`);
  const one = join(outDir, 'one-target.txt');
  writeFileSync(one, `${chain.targetsV4[0]}\n`);
  for (let i = 0; i < repeat; i++) {
    say(`round ${i + 1}/${repeat}`);
    runs.push([
      await pingsphereTrace(chain.tracer, many, targetCount),
      await pingsphereTrace(chain.tracer, one, 1),
      await mtrReport(chain.tracer, chain.targetsV4[0]!),
    ]);
  }
} finally {
  await chain.dispose();
}

const rows = runs[0]!.map((first, k) => ({
  ...first,
  wallS: median(runs.map((r) => r[k]!.wallS)),
  engineS: first.engineS === null ? null : median(runs.map((r) => r[k]!.engineS!)),
  probesSent: median(runs.map((r) => r[k]!.probesSent)),
  peakRssMb: median(runs.map((r) => r[k]!.peakRssMb)),
}));
const [ours, oursOne, mtr] = rows as [Row, Row, Row];
const uptimeAfter = execFileSync('uptime').toString().trim();
const lines = [
  `| tool | targets | wall s (whole process, median of ${repeat}) | engine s | probes sent | reached | peak RSS MB |`,
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.tool} | ${r.targets} | ${r.wallS.toFixed(2)} | ${r.engineS?.toFixed(2) ?? '–'} | ${r.probesSent} | ${r.reached} | ${r.peakRssMb.toFixed(0)} |`,
  ),
  `| 1,000 × mtr --report (extrapolated) | ${targetCount} | ${(mtr.wallS * targetCount).toFixed(0)} | – | ${mtr.probesSent * targetCount} | – | – |`,
  '',
  `${targetCount} targets in one run: ${(ours.wallS / oursOne.wallS).toFixed(1)} × the wall time of one target ` +
    `(not ${targetCount} ×); ${((mtr.wallS * targetCount) / ours.wallS).toFixed(0)} × faster than ${targetCount} sequential ` +
    `mtr runs; probes per target: ${(ours.probesSent / targetCount).toFixed(1)} (mtr: ${mtr.probesSent}).`,
  `Options: -q ${probesPerHop}, max hops ${maxHops}, timeout/grace ${timeoutS} s, pingsphere --rate ${rate}, mtr --interval 0.1. ` +
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load before: ${uptime}; after: ${uptimeAfter}; loadavg ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
];
writeFileSync(
  join(outDir, 'results.json'),
  JSON.stringify({ date: new Date().toISOString(), runs, uptime, uptimeAfter }, null, 2),
);
process.stdout.write(`${lines.join('\n')}\n`);
