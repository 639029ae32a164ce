// `npm run bench:sinks`: the QuestDB sink's ingest of a 1 M-result sweep beside QuestDB's own
// ceiling (pre-encoded requests, same run; goal >= 0.9x) and CloudWatch calls per minute against
// pingmesh's publisher.
import { cpus, loadavg, release } from 'node:os';
import { median } from '@pingsphere/testbed';
import { measureCloudWatchCalls } from './cloudwatch-calls.js';
import { compareQuestDbIngest, type IngestComparison } from './questdb-ingest.js';

const repeatFlag = process.argv.indexOf('--repeat');
const repeat = repeatFlag > 0 ? Number(process.argv[repeatFlag + 1]) : 3;
const rows = Number(process.env.BENCH_SINK_ROWS ?? 1_000_000);

const runs: IngestComparison[] = [];
const loadBefore = loadavg()[0]!;
for (let i = 1; i <= repeat; i++) {
  process.stderr.write(
    `[bench:sinks] QuestDB ingest run ${i}/${repeat} (warm-up, then 5 rounds of sink and ceiling) …\n`,
  );
  const run = await compareQuestDbIngest(rows);
  process.stderr.write(
    `[bench:sinks]   sink ${run.sink.rowsPerSecond} rows/s, ceiling ${run.ceiling.rowsPerSecond} rows/s (${run.ceilingInFlight} in flight): ${run.ratio}x; per round ${run.roundRatios.join(', ')}\n`,
  );
  runs.push(run);
}
const loadAfter = loadavg()[0]!;
process.stderr.write('[bench:sinks] CloudWatch calls, 10 peers every 1 s, 3 minutes …\n');
const calls = await measureCloudWatchCalls(10, 3);

console.log(
  `\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model}), Linux ${release()}, Node ${process.versions.node}, load average ${loadBefore.toFixed(1)} before / ${loadAfter.toFixed(1)} after the ingest runs\n`,
);
console.log(
  `### QuestDB sink: one sweep of 1,000,000 ICMP results beside QuestDB's ceiling (${repeat} QuestDBs, ${runs[0]?.rounds} rounds each; medians)\n`,
);
console.log('| sender | rows/s (hand-off → all visible) | stored after (s) | collector CPU (s) | all rows visible |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const [label, pick] of [
  ['QuestDbSink (4,096-row engine batches)', (r: IngestComparison) => r.sink],
  ['pre-encoded 50,000-row requests (ceiling)', (r: IngestComparison) => r.ceiling],
] as const) {
  const picked = runs.map(pick);
  console.log(
    `| ${label} | ${median(picked.map((r) => r.rowsPerSecond))} | ${median(picked.map((r) => r.storedS))} | ${median(picked.map((r) => r.cpuS))} | ${picked.every((r) => r.visible === 1_000_000) ? 'yes' : 'NO'} |`,
  );
}
console.log(
  `\nsink ÷ ceiling (median rates), per QuestDB: ${runs.map((r) => `${r.ratio}x`).join(', ')}; median ${median(runs.map((r) => r.ratio))}x (goal >= 0.9x)`,
);
const allRounds = runs.flatMap((r) => r.roundRatios);
console.log(
  `sink ÷ ceiling within each round (back to back), per QuestDB: ${runs.map((r) => `${r.pairedRatio}x`).join(', ')}; median of all ${allRounds.length} rounds ${median(allRounds)}x, lowest ${Math.min(...allRounds)}x`,
);
console.log(
  `ceiling per run (requests in flight): ${runs.map((r) => `${r.ceiling.rowsPerSecond} (${r.ceilingInFlight})`).join(', ')}\n`,
);
console.log(
  `### CloudWatch: ${calls.peers} peers pinged every ${calls.intervalS} s, ${calls.minutes} minutes (${calls.samples} samples)\n`,
);
console.log('| publisher | PutMetricData calls / minute |');
console.log('| --- | ---: |');
console.log(`| pingmesh (one call per sample) | ${calls.pingmeshCallsPerMinute} |`);
console.log(`| PingSphere (aggregated per minute, packed) | ${calls.pingsphereCallsPerMinute} |`);
console.log(`\nratio: ${calls.ratio}x fewer calls`);
