// `npm run bench:sinks`: the QuestDB sink's ingest of a 1 M-result sweep (target: stored within
// 5 s of the sweep's end) and CloudWatch calls per minute against pingmesh's publisher.
import { cpus, release } from 'node:os';
import { measureCloudWatchCalls } from './cloudwatch-calls.js';
import { measureQuestDbIngest, type IngestResult } from './questdb-ingest.js';

const repeatFlag = process.argv.indexOf('--repeat');
const repeat = repeatFlag > 0 ? Number(process.argv[repeatFlag + 1]) : 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const runs: IngestResult[] = [];
for (let i = 1; i <= repeat; i++) {
  process.stderr.write(`[bench:sinks] QuestDB ingest run ${i}/${repeat} …\n`);
  runs.push(await measureQuestDbIngest(1_000_000));
}
process.stderr.write('[bench:sinks] CloudWatch calls, 10 peers every 1 s, 3 minutes …\n');
const calls = await measureCloudWatchCalls(10, 3);

console.log(
  `\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model}), Linux ${release()}, Node ${process.versions.node}\n`,
);
console.log(`### QuestDB sink: one sweep of 1,000,000 ICMP results (median of ${repeat})\n`);
console.log(
  '| stored after sweep end (s) | acknowledged after sweep end (s) | rows/s | collector CPU (s) | all rows visible |',
);
console.log('| ---: | ---: | ---: | ---: | --- |');
console.log(
  `| ${median(runs.map((r) => r.storedAfterSweepS))} | ${median(runs.map((r) => r.acknowledgedAfterSweepS))} | ${median(runs.map((r) => r.rowsPerSecond))} | ${median(runs.map((r) => r.collectorCpuS))} | ${runs.every((r) => r.visible === r.rows) ? 'yes' : 'NO'} |`,
);
console.log(`\nper run (stored s): ${runs.map((r) => r.storedAfterSweepS).join(', ')}\n`);
console.log(
  `### CloudWatch: ${calls.peers} peers pinged every ${calls.intervalS} s, ${calls.minutes} minutes (${calls.samples} samples)\n`,
);
console.log('| publisher | PutMetricData calls / minute |');
console.log('| --- | ---: |');
console.log(`| pingmesh (one call per sample) | ${calls.pingmeshCallsPerMinute} |`);
console.log(`| PingSphere (aggregated per minute, packed) | ${calls.pingsphereCallsPerMinute} |`);
console.log(`\nratio: ${calls.ratio}x fewer calls`);
