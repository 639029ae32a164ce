// `npm run bench:http`: one collector pinging N loopback endpoints every D seconds, beside a
// curl-in-a-loop baseline doing the same schedule, in one run. Targets are a few paced-server
// processes listening on many 127.10.x.y addresses (loopback only). Reports schedule misses, CPU
// and RSS for both, and writes a Markdown table to bench/out/http.md (copied into RESULTS.md by hand).
// Memory (RSS, private memory and the V8 heap) is measured for a collector with one peer, for the
// N-endpoint mesh and, with --soak-seconds, over a long run; bare Node's RSS is the floor beside it.
//
// The idle collector is measured twice: as started in the benchmark (no sink but stdout) and with
// the QuestDB sink configured (a real QuestDB from the Maven Central jar, as the tests use it),
// since that sink loads its own HTTP client.
//
//   npm run bench:http -- [--endpoints 5000] [--interval 10] [--rounds 3] [--servers 4]
//                         [--idle-seconds 30] [--soak-seconds 600] [--no-curl] [--no-questdb]
//                         [--only idle|mesh]
//   npm run bench:http:idle     (= --only idle: bare Node and the idle collector, ~1.5 min)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freeLoopbackPort, LocalQuestDb, questDbJarPath, repoRoot } from '@pingsphere/testbed';
import { RecordedProcess, startPacedServer, type PacedServer } from '../../collector/test/helpers/processes.js';
import { binFreshness, buildBin } from '../../collector/scripts/build-bin.mjs';
import { MemorySampler, memorySummary, memoryTrend, processMemory, type MemorySample } from './collector-memory.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '5000' },
    interval: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    servers: { type: 'string', default: '4' },
    'idle-seconds': { type: 'string', default: '30' },
    'soak-seconds': { type: 'string', default: '0' },
    'no-curl': { type: 'boolean', default: false },
    'no-questdb': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const only = values.only;
if (only !== undefined && only !== 'idle' && only !== 'mesh') {
  process.stderr.write(
    `bench:http: --only takes "idle" (bare Node and the idle collector) or "mesh" (the N-peer run)\n`,
  );
  process.exit(2);
}
let endpointCount = Number(values.endpoints);
const intervalS = Number(values.interval);
const rounds = Number(values.rounds);
const serverCount = Number(values.servers);
const idleSeconds = Number(values['idle-seconds']);
const soakSeconds = Number(values['soak-seconds']);
for (const [name, value] of Object.entries({ endpointCount, intervalS, rounds, serverCount, idleSeconds })) {
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`bench:http: ${name} must be a positive number\n`);
    process.exit(2);
  }
}
const outDir = join(repoRoot, 'bench/out');
mkdirSync(outDir, { recursive: true });

function say(line: string): void {
  process.stdout.write(`[bench:http] ${line}\n`);
}

/** 127.10.0.1, 127.10.0.2, …: loopback addresses, 250 per third octet. */
function address(i: number): string {
  return `127.10.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** utime+stime of a process in seconds, and its current and peak RSS in MiB, from /proc. */
function processUsage(pid: number): { cpuS: number; rssMiB: number; peakRssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = 100; // USER_HZ on Linux
  const cpuS = (Number(fields[11]) + Number(fields[12])) / ticks;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { cpuS, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

function metricValue(metrics: string, name: string): number {
  return Number(new RegExp(`^${name} ([\\d.eE+-]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
}

function sumSeries(metrics: string, prefix: string, outcome: string): number {
  let sum = 0;
  for (const match of metrics.matchAll(new RegExp(`^${prefix}\\{[^}]*outcome="${outcome}"\\} ([\\d.]+)$`, 'gm'))) {
    sum += Number(match[1]);
  }
  return sum;
}

/** Slots in the window that started later than `limitS`, from the lateness histogram's buckets. */
function lateSlots(before: string, after: string, limitS: number): number {
  const bucket = (text: string, le: string) =>
    Number(
      new RegExp(
        `^pingsphere_http_schedule_lateness_seconds_bucket\\{le="${le.replace(/[.+]/g, '\\$&')}"\\} (\\d+)`,
        'm',
      ).exec(text)?.[1] ?? 0,
    );
  const total = (text: string) => bucket(text, '+Inf');
  const within = (text: string) => bucket(text, String(limitS));
  return total(after) - total(before) - (within(after) - within(before));
}

interface Row {
  tool: string;
  slotsDue: number;
  requests: number;
  ok: number;
  missed: number;
  /** Slots (not missed) that started more than 100 ms late. */
  lateOver100Ms: number;
  maxLateMs: number;
  cpuS: number;
  cpuPct: number;
  rssMiB: string;
  memory?: ReturnType<typeof memorySummary>;
  scrape?: { ms: number; mib: number; rssBeforeMiB: number; rssAfterMiB: number };
}

async function startTargets(port: number): Promise<PacedServer[]> {
  const perServer = Math.ceil(endpointCount / serverCount);
  const servers: PacedServer[] = [];
  for (let s = 0; s < serverCount; s++) {
    const hosts: string[] = [];
    for (let i = s * perServer; i < Math.min(endpointCount, (s + 1) * perServer); i++) hosts.push(address(i));
    servers.push(await startPacedServer({ hosts, port, location: 'Bench,ZZ', quiet: true }));
  }
  return servers;
}

/** Starts `pingsphere collect -q -d INTERVAL -s PORT URLS…` (the bin as installed) and waits for its API. */
async function startCollector(
  urls: string[],
  extraArgs: string[] = [],
): Promise<{ collector: RecordedProcess; metricsUrl: string }> {
  const apiPort = await freeLoopbackPort();
  const collector = new RecordedProcess(join(repoRoot, 'collector/bin/pingsphere.mjs'), [
    'collect',
    '-q',
    '-d',
    String(intervalS),
    '-s',
    String(apiPort),
    '--listen',
    '127.0.0.1',
    ...extraArgs,
    ...urls,
  ]);
  const metricsUrl = `http://127.0.0.1:${apiPort}/metrics`;
  await collector.waitFor(async () => (await fetch(metricsUrl)).ok, 60_000, 'the collector API');
  return { collector, metricsUrl };
}

function memstatsUrl(metricsUrl: string): string {
  return metricsUrl.replace(/\/metrics$/, '/v1/memstats');
}

/** The runtime's own floor: an idle `node` with nothing loaded, measured in the same run. */
async function bareNodeMemory(): Promise<{ rssMiB: number; privateMiB: number }> {
  const node = new RecordedProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  await new Promise((r) => setTimeout(r, 2000));
  const memory = processMemory(node.pid);
  await node.stop();
  return memory;
}

/** A collector with one peer (pinged every interval), left alone for --idle-seconds. */
async function benchIdleCollector(url: string, extraArgs: string[] = []): Promise<ReturnType<typeof memorySummary>> {
  const { collector, metricsUrl } = await startCollector([url], extraArgs);
  say(`idle collector with one peer ${extraArgs.join(' ')} (pid ${collector.pid}) for ${idleSeconds} s`);
  const sampler = new MemorySampler(collector.pid, memstatsUrl(metricsUrl));
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const samples = await sampler.stop();
  await collector.stop();
  return memorySummary(samples);
}

/**
 * The idle collector with the QuestDB sink configured, writing to a real QuestDB (its spool in a
 * temporary directory of its own); null when the jar is missing (`node scripts/setup.mjs --for test`).
 */
async function benchIdleCollectorWithQuestDb(url: string): Promise<ReturnType<typeof memorySummary> | null> {
  if (!existsSync(questDbJarPath)) {
    say(`no QuestDB jar at ${questDbJarPath} (node scripts/setup.mjs --for test fetches it): idle + QuestDB skipped`);
    return null;
  }
  const questdb = await LocalQuestDb.launch({ maxHeap: '512m' });
  const spoolDir = mkdtempSync(join(tmpdir(), 'pingsphere-bench-http-spool-'));
  try {
    return await benchIdleCollector(url, ['--questdb', questdb.clientConf, '--spool-dir', spoolDir]);
  } finally {
    await questdb.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

/** N endpoints for --soak-seconds: memory every second (heap every 10 s), to show it stays flat. */
async function soakCollector(urls: string[]): Promise<MemorySample[]> {
  const { collector, metricsUrl } = await startCollector(urls);
  say(`soak: ${urls.length} endpoints for ${soakSeconds} s (pid ${collector.pid})`);
  const sampler = new MemorySampler(collector.pid, memstatsUrl(metricsUrl), 10);
  const progress = setInterval(() => {
    const last = sampler.samples.at(-1);
    if (last) say(`soak ${last.atS.toFixed(0)} s: RSS ${last.rssMiB.toFixed(0)} MiB`);
  }, 60_000);
  await new Promise((r) => setTimeout(r, soakSeconds * 1000));
  clearInterval(progress);
  const samples = await sampler.stop();
  await collector.stop();
  return samples;
}

async function benchCollector(urls: string[]): Promise<Row> {
  const { collector, metricsUrl } = await startCollector(urls);
  const pid = collector.pid;
  say(`collector up (pid ${pid}); warming up for one interval (every endpoint gets its first slot)`);
  await new Promise((r) => setTimeout(r, intervalS * 1000 + 500));
  const before = { usage: processUsage(pid), metrics: await (await fetch(metricsUrl)).text() };
  const windowMs = rounds * intervalS * 1000;
  say(`measuring ${rounds} rounds (${windowMs / 1000} s)`);
  const sampler = new MemorySampler(pid, memstatsUrl(metricsUrl), 5);
  await new Promise((r) => setTimeout(r, windowMs));
  const memory = memorySummary(await sampler.stop());
  // The closing scrape is timed: what one Prometheus scrape of this many peers costs the collector.
  const rssBeforeScrape = processMemory(pid).rssMiB;
  const scrapeStarted = performance.now();
  const afterMetrics = await (await fetch(metricsUrl)).text();
  const scrape = {
    ms: performance.now() - scrapeStarted,
    mib: Buffer.byteLength(afterMetrics) / 2 ** 20,
    rssBeforeMiB: rssBeforeScrape,
    rssAfterMiB: processMemory(pid).rssMiB,
  };
  const after = { usage: processUsage(pid), metrics: afterMetrics };
  await collector.stop();
  const delta = (name: string) => metricValue(after.metrics, name) - metricValue(before.metrics, name);
  const ok =
    sumSeries(after.metrics, 'pingsphere_http_pings_total', 'ok') -
    sumSeries(before.metrics, 'pingsphere_http_pings_total', 'ok');
  const fail =
    sumSeries(after.metrics, 'pingsphere_http_pings_total', 'fail') -
    sumSeries(before.metrics, 'pingsphere_http_pings_total', 'fail');
  const cpuS = after.usage.cpuS - before.usage.cpuS;
  return {
    tool: 'pingsphere collect',
    slotsDue: delta('pingsphere_http_schedule_slots'),
    requests: ok + fail,
    ok,
    missed: delta('pingsphere_http_schedule_skipped_slots') + delta('pingsphere_http_schedule_late_slots'),
    lateOver100Ms: lateSlots(before.metrics, after.metrics, 0.1),
    // The gauge holds the worst since start; start-up (adding every peer) is not in the window.
    maxLateMs: metricValue(after.metrics, 'pingsphere_http_schedule_max_lateness_seconds') * 1000,
    cpuS,
    cpuPct: (100 * cpuS) / (windowMs / 1000),
    rssMiB: `${after.usage.rssMiB.toFixed(0)} (peak ${Math.max(memory.peakRssMiB, after.usage.peakRssMiB).toFixed(0)})`,
    memory,
    scrape,
  };
}

/**
 * The baseline: a bash loop running `curl -w` once per endpoint, back to back (it never sleeps, so
 * it can only be late), judged against the same schedule (endpoint i of round r due at
 * r·D + i·D/N); bounded to the measured window plus one interval.
 */
async function benchCurlLoop(urls: string[]): Promise<Row> {
  const listFile = join(outDir, 'http-curl-urls.txt');
  const logFile = join(outDir, 'http-curl-log.txt');
  const statFile = join(outDir, 'http-curl-stat.txt');
  writeFileSync(listFile, urls.join('\n') + '\n');
  const windowS = rounds * intervalS;
  const script = `
set -u
mapfile -t urls < '${listFile}'
n=\${#urls[@]}
start=$EPOCHREALTIME
deadline=$(awk -v s="$start" 'BEGIN { printf "%.6f", s + ${windowS + intervalS} }')
exec 3> '${logFile}'
for ((r = 0; r < ${rounds}; r++)); do
  for ((i = 0; i < n; i++)); do
    now=$EPOCHREALTIME
    if [[ "\${now/./}" -gt "\${deadline/./}" ]]; then break 2; fi
    curl -s -o /dev/null --max-time ${intervalS} -w "$now $r $i %{http_code} %{time_total}\\n" "\${urls[$i]}" >&3
  done
done
exec 3>&-
cat /proc/$$/stat > '${statFile}'
`;
  const started = Date.now();
  const startedEpoch = Date.now() / 1000;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl loop exited ${code}`))));
  });
  const elapsedS = (Date.now() - started) / 1000;
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);
  let ok = 0;
  let missed = 0;
  let maxLateMs = 0;
  let lateOver100Ms = 0;
  const firstStart = Number(lines[0]?.split(' ')[0] ?? startedEpoch);
  for (const line of lines) {
    const [startS, round, index, code] = line.split(' ');
    if (code === '200') ok++;
    const dueS = firstStart + Number(round) * intervalS + (Number(index) * intervalS) / urls.length;
    const lateMs = Math.max(0, (Number(startS) - dueS) * 1000);
    maxLateMs = Math.max(maxLateMs, lateMs);
    if (lateMs > intervalS * 100)
      missed++; // more than 10 % of the interval late
    else if (lateMs > 100) lateOver100Ms++;
  }
  const slotsDue = urls.length * rounds;
  missed += slotsDue - lines.length; // never reached before the deadline
  const stat = readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime of bash plus cutime, cstime of the curl processes it waited for.
  const cpuS = [11, 12, 13, 14].reduce((sum, f) => sum + Number(fields[f]), 0) / 100;
  return {
    tool: 'bash loop of `curl -w`',
    slotsDue,
    requests: lines.length,
    ok,
    missed,
    lateOver100Ms,
    maxLateMs,
    cpuS,
    cpuPct: (100 * cpuS) / elapsedS,
    rssMiB: '~5 per curl process',
  };
}

function mib(n: number): string {
  return Number.isNaN(n) ? '–' : n.toFixed(0);
}

type MemoryFigures = Partial<ReturnType<typeof memorySummary>> & { rssMiB: number; privateMiB: number };

/** The memory table: bare Node, the idle collector with one peer (alone and with QuestDB), the mesh, the soak. */
function memoryTable(rows: Array<{ what: string; memory: MemoryFigures }>, soak: MemorySample[] | null): string[] {
  const row = (what: string, m: MemoryFigures) =>
    `| ${what} | ${mib(m.rssMiB)} | ${mib(m.peakRssMiB ?? NaN)} | ${mib(m.privateMiB)} | ${mib(m.heapUsedMiB ?? NaN)} | ${mib(m.peakHeapUsedMiB ?? NaN)} | ${mib(m.heapTotalMiB ?? NaN)} |`;
  const lines = [
    '| process | RSS MiB | peak RSS MiB | private MiB | V8 heap used MiB | peak heap used MiB | heap committed MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => row(r.what, r.memory)),
  ];
  if (soak) {
    const summary = memorySummary(soak);
    const trend = memoryTrend(soak);
    lines.push(
      row(`pingsphere collect, ${endpointCount} peers, after a ${soakSeconds} s soak`, summary),
      '',
      `Soak trend over its second half (least squares): RSS ${trend.rssPer10Min.toFixed(1)} MiB per 10 min, ` +
        `heap used ${trend.heapPer10Min.toFixed(1)} MiB per 10 min. Samples (every 60 s):`,
      '',
      '| t s | RSS MiB | private MiB | heap used MiB | heap committed MiB |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...soak
        .filter(
          (sample, i) =>
            i === soak.length - 1 || Math.floor(sample.atS / 60) !== Math.floor((soak[i - 1]?.atS ?? -60) / 60),
        )
        .map((sample) => {
          // The nearest heap sample at or before this one.
          const heap = [...soak].reverse().find((h) => h.atS <= sample.atS && !Number.isNaN(h.heapUsedMiB));
          return `| ${sample.atS.toFixed(0)} | ${mib(sample.rssMiB)} | ${mib(sample.privateMiB)} | ${mib(heap?.heapUsedMiB ?? NaN)} | ${mib(heap?.heapTotalMiB ?? NaN)} |`;
        }),
    );
  }
  lines.push(
    '',
    'RSS includes the pages of the node binary the process has touched (shared with every other node',
    'process, and the bulk of bare Node’s RSS); private memory is what this process alone holds.',
  );
  return lines;
}

/** The mesh part's table: the collector (and the curl loop) over the measured rounds. */
function meshTable(ours: Row, baseline: Row | null): string[] {
  const rows = baseline ? [ours, baseline] : [ours];
  return [
    `HTTP mesh: ${endpointCount} loopback endpoints every ${intervalS} s, ${rounds} rounds measured`,
    '',
    '| tool | slots due | requests | 200 OK | missed slots | other slots > 100 ms late | worst start delay | CPU s | CPU % of one core | RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.tool} | ${r.slotsDue} | ${r.requests} | ${r.ok} | ${r.missed} | ${r.lateOver100Ms} | ${r.maxLateMs.toFixed(0)} ms | ${r.cpuS.toFixed(1)} | ${r.cpuPct.toFixed(1)} | ${r.rssMiB} |`,
    ),
    '',
    baseline
      ? `CPU per request: pingsphere ${((1000 * ours.cpuS) / Math.max(1, ours.requests)).toFixed(2)} ms, curl loop ${((1000 * baseline.cpuS) / Math.max(1, baseline.requests)).toFixed(2)} ms (ratio ${(baseline.cpuS / Math.max(1, baseline.requests) / (ours.cpuS / Math.max(1, ours.requests))).toFixed(1)}×).`
      : `CPU per request: pingsphere ${((1000 * ours.cpuS) / Math.max(1, ours.requests)).toFixed(2)} ms (curl baseline skipped: --no-curl).`,
    '',
  ];
}

async function main(): Promise<void> {
  const { fresh, reason } = binFreshness();
  if (!fresh) {
    say(`rebuilding the pingsphere command first: ${reason}`);
    await buildBin();
  }
  const runIdle = only !== 'mesh';
  const runMesh = only !== 'idle';
  // The idle part needs one target; the mesh part all of them.
  if (!runMesh) endpointCount = 1;
  say(
    runMesh
      ? `${endpointCount} endpoints every ${intervalS} s, ${rounds} measured rounds, ${serverCount} target servers`
      : `idle memory only: one endpoint every ${intervalS} s, ${idleSeconds} s per collector`,
  );
  const port = await freeLoopbackPort();
  const servers = await startTargets(port);
  const urls = Array.from({ length: endpointCount }, (_, i) => `http://${address(i)}:${port}/v1/ping`);
  say(`targets listening on ${address(0)} … ${address(endpointCount - 1)} port ${port}`);
  try {
    const memoryRows: Array<{ what: string; memory: MemoryFigures }> = [];
    if (runIdle) {
      memoryRows.push({ what: 'bare `node` (idle, nothing loaded): the floor', memory: await bareNodeMemory() });
      const idle = await benchIdleCollector(urls[0]!);
      say(`idle collector: ${JSON.stringify(idle)}`);
      memoryRows.push({ what: `pingsphere collect, one peer, -d ${intervalS}, after ${idleSeconds} s`, memory: idle });
      const withQuestDb = values['no-questdb'] ? null : await benchIdleCollectorWithQuestDb(urls[0]!);
      if (withQuestDb) {
        say(`idle collector with QuestDB: ${JSON.stringify(withQuestDb)}`);
        memoryRows.push({
          what: `pingsphere collect, one peer, -d ${intervalS}, --questdb (real QuestDB), after ${idleSeconds} s`,
          memory: withQuestDb,
        });
      }
    }
    let mesh: string[] = [];
    let soak: MemorySample[] | null = null;
    let ours: Row | null = null;
    if (runMesh) {
      ours = await benchCollector(urls);
      say(`collector: ${JSON.stringify(ours)}`);
      memoryRows.push({
        what: `pingsphere collect, ${endpointCount} peers, -d ${intervalS}, end of the ${rounds}-round window`,
        memory: ours.memory!,
      });
      soak = soakSeconds > 0 ? await soakCollector(urls) : null;
      let baseline: Row | null = null;
      if (!values['no-curl']) {
        say('baseline: curl in a bash loop, same schedule');
        baseline = await benchCurlLoop(urls);
        say(`curl loop: ${JSON.stringify(baseline)}`);
      }
      mesh = meshTable(ours, baseline);
    }
    const table = [
      `bench:http${only ? ` --only ${only}` : ''} (${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
      '',
      ...mesh,
      'Memory:',
      '',
      ...memoryTable(memoryRows, soak),
      ...(ours
        ? [
            '',
            `One /metrics scrape of the ${endpointCount}-peer collector: ${ours.scrape!.mib.toFixed(1)} MiB of text in ${ours.scrape!.ms.toFixed(0)} ms; ` +
              `RSS ${ours.scrape!.rssBeforeMiB.toFixed(0)} MiB before, ${ours.scrape!.rssAfterMiB.toFixed(0)} MiB after.`,
          ]
        : []),
    ].join('\n');
    const outFile = join(outDir, only ? `http-${only}.md` : 'http.md');
    writeFileSync(outFile, `${table}\n`);
    process.stdout.write(`\n${table}\n`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`[bench:http] error: ${error.message}\n`);
  process.exit(1);
});
