// ICMP benchmarks, side by side in one run inside a fresh network namespace (never any other
// address): start-up (hyperfine), pingsphere vs `fping` (Debian) vs a minimal C floor (floor.c)
// on 60 k targets, then a 1 M-target sweep (with the output path), then accuracy against a capture
// of the TUN delay responder's device (wire-accuracy.ts). Whole-process times (/usr/bin/time, the
// installed bin run as a user runs it) are the headline, the engine's own rates beside them.
// Prints markdown tables with medians and ratios; record them in bench/RESULTS.md. Run as root:
// `npm run bench:icmp`.
//
//   tsx bench/icmp/run.ts [--repeat N] [--only startup|rate|million|output|accuracy]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { median, NetworkNamespace, repoRoot } from '@pingsphere/testbed';
import { wireAccuracy } from './wire-accuracy.js';
import { binFreshness, buildBin } from '../../collector/scripts/build-bin.mjs';

const outDir = join(repoRoot, 'bench', 'out', 'icmp');
/** The installed command (the shell launcher npm links), and the CommonJS entry it runs. */
const bin = join(repoRoot, 'collector', 'bin', 'pingsphere');
const nodeEntry = join(repoRoot, 'collector', 'bin', 'pingsphere.cjs');
const repeatArg = process.argv.indexOf('--repeat');
const repeat = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 5;
// `--only startup|rate|million|output|accuracy` runs one section (the others take minutes).
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;

interface Measured {
  probesPerS: number;
  wallS: number;
  /** The sweep alone (first send to last reply), from the contender's own report. */
  sweepS: number;
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

/**
 * `pingsphere icmp ARGS` as a user runs it (the bin itself, through its #! line), stdout to
 * /dev/null: large sweeps' per-probe lines are written, not collected by this harness.
 */
async function runPingsphere(ns: NetworkNamespace, args: string[], targets: number): Promise<Measured> {
  const r = await timed(ns, ['sh', '-c', 'exec "$0" "$@" > /dev/null', bin, 'icmp', ...args]);
  const sweep = /sweep ([\d.]+) s/.exec(r.stderr);
  const replies = /probes: (\d+) replies/.exec(r.stderr);
  const rejected = /rejected: (.*)/.exec(r.stderr);
  const senders = /probes\/s, (\d+) senders?\)/.exec(r.stderr);
  if (r.exitCode !== 0 || !sweep || !replies) throw new Error(`pingsphere failed (${r.exitCode}): ${r.stderr}`);
  return {
    probesPerS: targets / Number(sweep[1]),
    wallS: r.wallS,
    sweepS: Number(sweep[1]),
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
    sweepS: Number(m[2]),
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
    sweepS: seconds,
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
  const fpingWall = median(runs.fping.map((m) => m.wallS));
  const lines = [
    `### 1. 60,000 loopback targets, one probe each (median of ${repeat})`,
    '',
    row([
      'contender',
      '**wall s** (whole process)',
      '**fping wall ÷ this**',
      'sweep probes/s',
      'vs fping (sweep)',
      'vs floor (sweep)',
      'replies (min)',
      'peak RSS MB',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const [name, ms] of Object.entries(runs)) {
    const rate = median(ms.map((m) => m.probesPerS));
    const wall = median(ms.map((m) => m.wallS));
    lines.push(
      row([
        name === 'pingsphere'
          ? `**pingsphere** \`icmp -q --unlimited-rate\` (auto: ${ms[0]!.senders} senders)`
          : name === 'pingsphere1'
            ? 'pingsphere `icmp -q --unlimited-rate --senders 1`'
            : name === 'fping'
              ? '`fping -C1 -q -i 0`'
              : 'C floor (`floor.c`)',
        fmt(wall, 2),
        `${fmt(fpingWall / wall, 2)}×`,
        fmt(rate),
        `${fmt(rate / fpingRate, 2)}×`,
        `${fmt((100 * rate) / floorRate)} %`,
        fmt(Math.min(...ms.map((m) => m.replies))),
        fmt(median(ms.map((m) => m.peakRssMb)), 1),
      ]),
    );
  }
  const perRound = (name: 'pingsphere' | 'pingsphere1', against: 'fping' | 'floor') =>
    runs[name].map((m, i) => `${fmt(m.probesPerS / runs[against][i]!.probesPerS, 2)}×`).join(', ');
  const wallPerRound = (name: 'pingsphere' | 'pingsphere1') =>
    runs[name].map((m, i) => `${fmt(runs.fping[i]!.wallS / m.wallS, 2)}×`).join(', ');
  lines.push(
    '',
    `Whole process per round (fping wall ÷ pingsphere wall, back to back): auto ${wallPerRound('pingsphere')};`,
    `1 sender ${wallPerRound('pingsphere1')}.`,
    `Sweep rate per round: pingsphere auto ÷ fping ${perRound('pingsphere', 'fping')};`,
    `pingsphere auto ÷ floor ${perRound('pingsphere', 'floor')}; pingsphere 1 sender ÷ fping ${perRound('pingsphere1', 'fping')}.`,
    `CPU used outside the measured process (other processes, kernel threads) during each pingsphere auto run: ${runs.pingsphere.map((m) => `${fmt(m.neighbourPct)} %`).join(', ')};`,
    `during each fping run: ${runs.fping.map((m) => `${fmt(m.neighbourPct)} %`).join(', ')} (of both cores).`,
    `Load average before the run: ${loadBefore}; after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    '',
    'wall s = /usr/bin/time of the whole process: start-up, reading the 60,000-line file, the sweep, the',
    'summary and exit; pingsphere is the installed command (`collector/bin/pingsphere`, the launcher npm links).',
    'sweep probes/s = targets ÷ (first send → last reply): pingsphere from its summary ("sweep … s"), the',
    'floor from its own clock, fping from the shorter of its wall time and its `-s` "elapsed real time".',
    '',
    ...(await wholeProcessHyperfine(ns, file, sweepArgs)),
  );
  return lines;
}

async function millionTargets(ns: NetworkNamespace, floor: string): Promise<string[]> {
  const n = 1_000_000;
  const file = loopbackFile('loopback-1m.txt', n, 0x010001);
  const sweepArgs = ['--unlimited-rate', '-t', '2000', '-f', file];
  const quiet: Measured[] = [];
  const json: Measured[] = [];
  const text: Measured[] = [];
  const fl: Measured[] = [];
  const reps = Math.min(repeat, 3);
  for (let i = 1; i <= reps; i++) {
    log(`2/3 one sweep of 1,000,000 targets: round ${i}/${reps}`);
    fl.push(await runFloor(ns, floor, '127.1.0.1', n));
    quiet.push(await runPingsphere(ns, ['-q', ...sweepArgs], n));
    json.push(await runPingsphere(ns, ['--json', ...sweepArgs], n));
    text.push(await runPingsphere(ns, sweepArgs, n));
  }
  const floorRate = median(fl.map((m) => m.probesPerS));
  const contender = (name: string, ms: Measured[]) => {
    const wall = median(ms.map((m) => m.wallS));
    const sweep = median(ms.map((m) => m.sweepS));
    return row([
      name,
      fmt(wall, 2),
      fmt(sweep, 2),
      `**${fmt(median(ms.map((m) => m.wallS / m.sweepS)), 2)}×**`,
      fmt(median(ms.map((m) => m.probesPerS))),
      `${fmt((100 * median(ms.map((m) => m.probesPerS))) / floorRate)} %`,
      fmt(Math.min(...ms.map((m) => m.replies))),
      fmt(Math.max(...ms.map((m) => m.peakRssMb)), 1),
      ms.at(-1)!.detail,
    ]);
  };
  const outputCost = (ms: Measured[]) => median(ms.map((m, i) => m.wallS - quiet[i]!.wallS));
  return [
    `### 2. One sweep of 1,000,000 loopback targets (median of ${reps})`,
    '',
    row([
      'contender',
      'wall s (whole process)',
      'sweep s',
      '**wall ÷ sweep**',
      'sweep probes/s',
      'vs floor',
      'replies matched (min)',
      'peak RSS MB (max)',
      'rejected (last run)',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    contender(`**pingsphere** \`icmp -q --unlimited-rate -f 1m.txt\` (${quiet[0]!.senders} senders)`, quiet),
    contender('pingsphere `icmp --json …` > /dev/null (1,000,000 NDJSON lines)', json),
    contender('pingsphere `icmp …` > /dev/null (1,000,000 fping-style lines)', text),
    contender('C floor', fl),
    '',
    'wall ÷ sweep: what the process adds around the sweep (start-up, reading and packing the 1,000,000-line',
    'file, the summary, exit), per run. Writing the lines added a median (per round, against the `-q` run',
    `of the same round; noisy while the machine is shared) of ${fmt(outputCost(json), 2)} s for NDJSON and ${fmt(outputCost(text), 2)} s for text.`,
  ];
}

interface HyperfineResult {
  command: string;
  median: number;
  min: number;
  mean: number;
  stddev: number;
  user: number;
  system: number;
}

/** Runs `[name, command]` pairs under hyperfine inside the namespace (no shell); results in order. */
async function hyperfine(ns: NetworkNamespace, commands: [string, string][], runs: number): Promise<HyperfineResult[]> {
  const exported = join(outDir, 'hyperfine.json');
  const args = ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', exported];
  for (const [name, command] of commands) args.push('-n', name, command);
  const run = await ns.exec('hyperfine', args, { timeoutMs: 600_000 });
  if (run.exitCode !== 0) throw new Error(`hyperfine failed (${run.exitCode}): ${run.stderr}`);
  return (JSON.parse(readFileSync(exported, 'utf8')) as { results: HyperfineResult[] }).results;
}

const ms = (seconds: number) => fmt(seconds * 1000, 1);

/** Start-up, whole process: hyperfine inside the namespace, node's own start-up as the floor. */
async function startUp(ns: NetworkNamespace): Promise<string[]> {
  log('0/3 start-up (hyperfine)');
  const node = process.execPath;
  const commands: [string, string][] = [['`node -e 0` (Node start-up, the floor)', `${node} -e 0`]];
  if (process.env.NODE_EXTRA_CA_CERTS) {
    commands.push(['`node -e 0` without NODE_EXTRA_CA_CERTS', `env -u NODE_EXTRA_CA_CERTS ${node} -e 0`]);
  }
  commands.push(
    ['**`pingsphere --version`**', `${bin} --version`],
    ['**`pingsphere icmp -c1 127.0.0.1`**', `${bin} icmp -c1 127.0.0.1`],
    ['`fping -c1 127.0.0.1`', 'fping -c1 127.0.0.1'],
  );
  const results = await hyperfine(ns, commands, 10 * repeat);
  return [
    `### 0. Start-up, whole process (hyperfine, ${10 * repeat} runs after 3 warm-up runs)`,
    '',
    row(['command', '**median ms**', 'min ms', 'mean ± σ ms', 'CPU ms (user + sys, mean)']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...results.map((r) =>
      row([r.command, `**${ms(r.median)}**`, ms(r.min), `${ms(r.mean)} ± ${ms(r.stddev)}`, ms(r.user + r.system)]),
    ),
    '',
    'Targets: `--version` ≤ 100 ms, `icmp -c1 127.0.0.1` ≤ 150 ms. pingsphere is the installed command',
    '(`collector/bin/pingsphere`, the shell launcher npm links), inside the bench namespace like every command here.',
    `NODE_EXTRA_CA_CERTS is ${process.env.NODE_EXTRA_CA_CERTS ? `set here (${process.env.NODE_EXTRA_CA_CERTS}); the launcher drops it for every command but \`collect\`` : 'not set here'}.`,
  ];
}

/**
 * The 60 k sweep's whole process again, with hyperfine's clock (/usr/bin/time's %e has 10 ms steps):
 * fping, the installed command, and its CommonJS entry run with node directly (which keeps
 * NODE_EXTRA_CA_CERTS when the environment sets it, as a user bypassing the launcher would).
 */
async function wholeProcessHyperfine(ns: NetworkNamespace, file: string, sweepArgs: string[]): Promise<string[]> {
  log('1/3 probe rate: whole process under hyperfine');
  const args = sweepArgs.join(' ');
  const results = await hyperfine(
    ns,
    [
      ['`fping -C1 -q -i 0 -f 60k.txt`', `fping -C1 -q -i 0 -f ${file}`],
      ['**`pingsphere icmp -q --unlimited-rate -f 60k.txt`**', `${bin} icmp ${args}`],
      ['`node bin/pingsphere.cjs icmp …` (no launcher)', `${process.execPath} ${nodeEntry} icmp ${args}`],
    ],
    4 * repeat,
  );
  const fping = results[0]!.median;
  return [
    `Whole process under hyperfine (${4 * repeat} runs each after 3 warm-up runs, fping without \`-s\`):`,
    '',
    row(['command', '**median ms**', '**fping ÷ this**', 'min ms', 'mean ± σ ms', 'CPU ms (user + sys, mean)']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
    ...results.map((r) =>
      row([
        r.command,
        `**${ms(r.median)}**`,
        `**${fmt(fping / r.median, 2)}×**`,
        ms(r.min),
        `${ms(r.mean)} ± ${ms(r.stddev)}`,
        ms(r.user + r.system),
      ]),
    ),
  ];
}

/** The output path alone: 1,000,000 results through the CLI's formatting and stdout. */
async function outputRate(ns: NetworkNamespace): Promise<string[]> {
  const script = join(repoRoot, 'bench', 'icmp', 'output-rate.ts');
  const rates: Record<'json' | 'text', number[]> = { json: [], text: [] };
  const perCpuSecond: Record<'json' | 'text', number[]> = { json: [], text: [] };
  const reps = Math.min(repeat, 3);
  for (let i = 1; i <= reps; i++) {
    log(`2/3 output path alone, 1,000,000 lines: round ${i}/${reps}`);
    for (const format of ['json', 'text'] as const) {
      const r = await ns.exec('sh', [
        '-c',
        'exec "$0" "$@" > /dev/null',
        process.execPath,
        '--import',
        'tsx',
        script,
        format,
      ]);
      const m = /lines=(\d+) seconds=([\d.]+) cpuSeconds=([\d.]+)/.exec(r.stderr);
      if (r.exitCode !== 0 || !m) throw new Error(`output-rate failed (${r.exitCode}): ${r.stderr}`);
      rates[format].push(Number(m[1]) / Number(m[2]));
      perCpuSecond[format].push(Number(m[1]) / Number(m[3]));
    }
  }
  return [
    `### 2b. Output path alone: 1,000,000 probe results to /dev/null (median of ${reps})`,
    '',
    row(['format', '**lines/s**', 'runs', 'lines per CPU second']),
    row(['---', '---:', '---', '---:']),
    ...(['json', 'text'] as const).map((format) =>
      row([
        format === 'json' ? 'NDJSON (`--json`)' : 'fping-style text',
        `**${fmt(median(rates[format]))}**`,
        rates[format].map((r) => fmt(r)).join(', '),
        fmt(median(perCpuSecond[format])),
      ]),
    ),
    '',
    '`bench/icmp/output-rate.ts`: the engine’s 4,096-probe batches, made up front, through the same',
    '`probeLines` and backpressured stdout writes as `pingsphere icmp`. Target: ≥ 1,000,000 lines/s. Lines per',
    'CPU second (the process’s CPU time over the same span) is what the rate would be on an otherwise idle core.',
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
  const { fresh, reason } = binFreshness();
  if (!fresh) {
    log(`rebuilding the pingsphere command first: ${reason}`);
    await buildBin();
  }
  const floor = join(outDir, 'floor');
  execFileSync('gcc', ['-O2', '-Wall', '-o', floor, join(repoRoot, 'bench', 'icmp', 'floor.c')]);
  const ns = await NetworkNamespace.create('pingsphere-bench');
  const sections: string[] = ['## ICMP engine', '', ...machine(), ''];
  try {
    if (!only || only === 'startup') sections.push(...(await startUp(ns)), '');
    if (!only || only === 'rate') sections.push(...(await probeRate(ns, floor)), '');
    if (!only || only === 'million') sections.push(...(await millionTargets(ns, floor)), '');
    if (!only || only === 'output') sections.push(...(await outputRate(ns)), '');
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
