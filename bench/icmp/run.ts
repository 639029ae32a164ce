// ICMP benchmarks, side by side in one run inside a fresh network namespace (never any other
// address): pingsphere vs `fping` (Debian) vs a minimal C floor (floor.c), then a 1 M-target
// sweep, then accuracy against a capture of the TUN delay responder's device (wire-accuracy.ts).
// Prints markdown tables with medians and ratios; record them in bench/RESULTS.md. Run as root:
// `npm run bench:icmp`.
//
//   tsx bench/icmp/run.ts [--repeat N] [--only rate|million|accuracy]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { NetworkNamespace, repoRoot } from '@pingsphere/testbed';
import { wireAccuracy } from './wire-accuracy.js';

const outDir = join(repoRoot, 'bench', 'out', 'icmp');
const bin = join(repoRoot, 'collector', 'bin', 'pingsphere.mjs');
const repeatArg = process.argv.indexOf('--repeat');
const repeat = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 5;
// `--only rate|million|accuracy` runs one section (the others take minutes).
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;

interface Measured {
  probesPerS: number;
  wallS: number;
  peakRssMb: number;
  replies: number;
  detail: string;
  /** Sender threads the engine ran with (pingsphere only). */
  senders?: number;
  /** CPU used outside the measured process during the run, % of all cores. */
  neighbourPct: number;
}

function log(message: string): void {
  process.stderr.write(`[bench:icmp] ${message}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function loopbackFile(name: string, count: number, firstOffset: number): string {
  // Consecutive addresses from 127.0.0.0 + firstOffset; the floor takes (first, count) for the same set.
  const lines: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const a = 0x7f000000 + firstOffset + i;
    lines[i] = `127.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  const path = join(outDir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** CPU seconds the whole machine has spent busy (all cores; idle, iowait and steal left out). */
function machineBusySeconds(): number {
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq) / 100; // USER_HZ
}

/**
 * Runs a command in the namespace under /usr/bin/time; returns output, wall seconds, peak RSS and
 * how busy everything outside the command (other processes, kernel threads such as ksoftirqd) kept
 * the machine meanwhile (% of all cores): this machine is shared,
 * and a contender that uses both cores is slowed by a neighbour where a one-core one is not.
 */
async function timed(ns: NetworkNamespace, command: string[], timeoutMs = 300_000) {
  const timeFile = join(outDir, 'time.txt');
  const busyBefore = machineBusySeconds();
  const result = await ns.exec('/usr/bin/time', ['-f', '%M %e %U %S', '-o', timeFile, ...command], { timeoutMs });
  const busyS = machineBusySeconds() - busyBefore;
  const [rssKb = '0', wall = '0', user = '0', sys = '0'] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4);
  const wallS = Number(wall);
  const neighbourPct =
    wallS > 0 ? Math.max(0, (100 * (busyS - Number(user) - Number(sys))) / (wallS * cpus().length)) : 0;
  return { ...result, wallS, peakRssMb: Number(rssKb) / 1024, neighbourPct };
}

async function runPingsphere(ns: NetworkNamespace, args: string[], targets: number): Promise<Measured> {
  const r = await timed(ns, [process.execPath, bin, 'icmp', ...args]);
  const sweep = /sweep ([\d.]+) s/.exec(r.stderr);
  const replies = /probes: (\d+) replies/.exec(r.stderr);
  const rejected = /rejected: (.*)/.exec(r.stderr);
  const senders = /probes\/s, (\d+) senders?\)/.exec(r.stderr);
  if (r.exitCode !== 0 || !sweep || !replies) throw new Error(`pingsphere failed (${r.exitCode}): ${r.stderr}`);
  return {
    probesPerS: targets / Number(sweep[1]),
    wallS: r.wallS,
    peakRssMb: r.peakRssMb,
    neighbourPct: r.neighbourPct,
    replies: Number(replies[1]),
    detail: rejected?.[1] ?? '',
    ...(senders ? { senders: Number(senders[1]) } : {}),
  };
}

async function runFloor(ns: NetworkNamespace, floor: string, first: string, count: number): Promise<Measured> {
  const r = await timed(ns, [floor, first, String(count)]);
  const m = /received=(\d+) seconds=([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`floor failed (${r.exitCode}): ${r.stdout}${r.stderr}`);
  return {
    probesPerS: count / Number(m[2]),
    wallS: r.wallS,
    peakRssMb: r.peakRssMb,
    neighbourPct: r.neighbourPct,
    replies: Number(m[1]),
    detail: '',
  };
}

/** fping has no rate of its own to report: we take the faster of its wall time and its -s "elapsed". */
async function runFping(ns: NetworkNamespace, file: string, count: number): Promise<Measured> {
  const r = await timed(ns, ['fping', '-C1', '-q', '-i', '0', '-s', '-f', file]);
  const elapsed = /([\d.]+) sec \(elapsed real time\)/.exec(r.stderr);
  const replies = /(\d+) ICMP Echo Replies received/.exec(r.stderr);
  if (!elapsed || !replies) throw new Error(`fping failed (${r.exitCode}): ${r.stderr.slice(-500)}`);
  const seconds = Math.min(Number(elapsed[1]), r.wallS);
  return {
    probesPerS: count / seconds,
    wallS: r.wallS,
    peakRssMb: r.peakRssMb,
    neighbourPct: r.neighbourPct,
    replies: Number(replies[1]),
    detail: '',
  };
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function probeRate(ns: NetworkNamespace, floor: string): Promise<string[]> {
  const n = 60_000;
  const file = loopbackFile('loopback-60k.txt', n, 0x010001);
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  // pingsphere twice: as it runs by default (one sender per CPU when unlimited) and held to one
  // sender, to show what sharding the sweep across cores adds.
  const runs: Record<'pingsphere' | 'pingsphere1' | 'fping' | 'floor', Measured[]> = {
    pingsphere: [],
    pingsphere1: [],
    fping: [],
    floor: [],
  };
  const sweepArgs = ['-q', '--unlimited-rate', '-t', '2000', '-f', file];
  for (let i = 1; i <= repeat; i++) {
    log(`1/3 probe rate, 60,000 loopback targets: round ${i}/${repeat}`);
    runs.floor.push(await runFloor(ns, floor, '127.1.0.1', n));
    runs.fping.push(await runFping(ns, file, n));
    runs.pingsphere.push(await runPingsphere(ns, sweepArgs, n));
    runs.pingsphere1.push(await runPingsphere(ns, ['--senders', '1', ...sweepArgs], n));
  }
  const floorRate = median(runs.floor.map((m) => m.probesPerS));
  const fpingRate = median(runs.fping.map((m) => m.probesPerS));
  const lines = [
    `### 1. Probe rate: 60,000 loopback targets, one probe each (median of ${repeat})`,
    '',
    row(['contender', 'probes/s', 'vs fping', 'vs floor', 'replies (min)', 'wall s (incl. start-up)', 'peak RSS MB']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const [name, ms] of Object.entries(runs)) {
    const rate = median(ms.map((m) => m.probesPerS));
    lines.push(
      row([
        name === 'pingsphere'
          ? `**pingsphere** \`icmp -q --unlimited-rate\` (auto: ${ms[0]!.senders} senders)`
          : name === 'pingsphere1'
            ? 'pingsphere `icmp -q --unlimited-rate --senders 1`'
            : name === 'fping'
              ? '`fping -C1 -q -i 0`'
              : 'C floor (`floor.c`)',
        fmt(rate),
        `${fmt(rate / fpingRate, 2)}×`,
        `${fmt((100 * rate) / floorRate)} %`,
        fmt(Math.min(...ms.map((m) => m.replies))),
        fmt(median(ms.map((m) => m.wallS)), 2),
        fmt(median(ms.map((m) => m.peakRssMb)), 1),
      ]),
    );
  }
  const perRound = (name: 'pingsphere' | 'pingsphere1', against: 'fping' | 'floor') =>
    runs[name].map((m, i) => `${fmt(m.probesPerS / runs[against][i]!.probesPerS, 2)}×`).join(', ');
  lines.push(
    '',
    `Per round (same round, back to back): pingsphere auto ÷ fping ${perRound('pingsphere', 'fping')};`,
    `pingsphere auto ÷ floor ${perRound('pingsphere', 'floor')}; pingsphere 1 sender ÷ fping ${perRound('pingsphere1', 'fping')}.`,
    `CPU used outside the measured process (other processes, kernel threads) during each pingsphere auto run: ${runs.pingsphere.map((m) => `${fmt(m.neighbourPct)} %`).join(', ')};`,
    `during each fping run: ${runs.fping.map((m) => `${fmt(m.neighbourPct)} %`).join(', ')} (of both cores).`,
    `Load average before the run: ${loadBefore}; after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    '',
    'probes/s = targets ÷ (first send → last reply): pingsphere from its summary ("sweep … s"), the floor from its',
    'own clock, fping from the shorter of its wall time and its `-s` "elapsed real time" (it has no finer clock).',
    'Node start-up (~0.5 s) is outside the pingsphere figure and inside its wall time.',
  );
  return lines;
}

async function millionTargets(ns: NetworkNamespace, floor: string): Promise<string[]> {
  const n = 1_000_000;
  const file = loopbackFile('loopback-1m.txt', n, 0x010001);
  const ps: Measured[] = [];
  const fl: Measured[] = [];
  const reps = Math.min(repeat, 3);
  for (let i = 1; i <= reps; i++) {
    log(`2/3 one sweep of 1,000,000 targets: round ${i}/${reps}`);
    fl.push(await runFloor(ns, floor, '127.1.0.1', n));
    ps.push(await runPingsphere(ns, ['-q', '--unlimited-rate', '-t', '2000', '-f', file], n));
  }
  const floorRate = median(fl.map((m) => m.probesPerS));
  const psRate = median(ps.map((m) => m.probesPerS));
  return [
    `### 2. One sweep of 1,000,000 loopback targets (median of ${reps})`,
    '',
    row([
      'contender',
      'probes/s',
      'vs floor',
      'replies matched (min)',
      'wall s',
      'peak RSS MB (max)',
      'rejected (last run)',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---']),
    row([
      `**pingsphere** \`icmp -q --unlimited-rate -f 1m.txt\` (${ps[0]!.senders} senders)`,
      fmt(psRate),
      `${fmt((100 * psRate) / floorRate)} %`,
      fmt(Math.min(...ps.map((m) => m.replies))),
      fmt(median(ps.map((m) => m.wallS)), 2),
      fmt(Math.max(...ps.map((m) => m.peakRssMb)), 1),
      ps.at(-1)!.detail,
    ]),
    row([
      'C floor',
      fmt(floorRate),
      '100 %',
      fmt(Math.min(...fl.map((m) => m.replies))),
      fmt(median(fl.map((m) => m.wallS)), 2),
      fmt(Math.max(...fl.map((m) => m.peakRssMb)), 1),
      '',
    ]),
    '',
    'The pingsphere wall time includes reading and parsing the 1,000,000-line target file.',
  ];
}

function machine(): string[] {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const fping = execFileSync('fping', ['--version']).toString().trim();
  return [
    `Run ${new Date().toISOString().slice(0, 10)} with \`npm run bench:icmp\` on ${cpus().length} cores (${model}),`,
    `Linux ${release()}, Node ${process.versions.node}, ${fping}, gcc -O2 floor.`,
  ];
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the ICMP benchmark creates a network namespace: run it as root');
  mkdirSync(outDir, { recursive: true });
  const floor = join(outDir, 'floor');
  execFileSync('gcc', ['-O2', '-Wall', '-o', floor, join(repoRoot, 'bench', 'icmp', 'floor.c')]);
  const ns = await NetworkNamespace.create('pingsphere-bench');
  const sections: string[] = ['## ICMP engine', '', ...machine(), ''];
  try {
    if (!only || only === 'rate') sections.push(...(await probeRate(ns, floor)), '');
    if (!only || only === 'million') sections.push(...(await millionTargets(ns, floor)), '');
    if (!only || only === 'accuracy') {
      sections.push(...(await wireAccuracy(ns, { bin, repeat: Math.min(repeat, 3), log, outDir })), '');
    }
  } finally {
    await ns.dispose();
  }
  const report = sections.join('\n');
  writeFileSync(join(outDir, 'results.md'), report);
  process.stdout.write(report);
  log(`written to ${join(outDir, 'results.md')}`);
}

await main();
