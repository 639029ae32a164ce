// The CLI's output path alone: a million probe results, in the engine's 4,096-probe batches,
// through the same code `pingsphere icmp` uses (probeLines, then stdout with backpressure), so the
// lines-per-second figure is not mixed with a sweep. Prints `lines=N seconds=S cpuSeconds=C` on
// stderr (CPU time of the whole process over the same span, GC threads included).
//
//   node --import tsx bench/icmp/output-rate.ts json|text [LINES] > /dev/null
import type { ProbeBatch } from '@pingsphere/native';
import { probeLines } from '../../collector/src/icmp/sweep-output.js';
import { TargetList } from '../../collector/src/icmp/target-list.js';

const format = process.argv[2] === 'text' ? 'text' : 'json';
const lines = Number(process.argv[3] ?? 1_000_000);
const batchProbes = 4096;

// Consecutive loopback targets with RTTs of 4 µs to 5 ms, one in a hundred lost, sent 3 µs apart.
const targets = new TargetList();
targets.addIpv4Range(0x7f010001, lines);
const batches: ProbeBatch[] = [];
const startUs = Date.now() * 1000;
for (let first = 0; first < lines; first += batchProbes) {
  const n = Math.min(batchProbes, lines - first);
  const batch: ProbeBatch = {
    targetIndex: new Uint32Array(n),
    seq: new Uint32Array(n),
    rttNs: new Float64Array(n),
    sendTimeUs: new Float64Array(n),
    flow: new Uint16Array(n),
  };
  for (let i = 0; i < n; i++) {
    const probe = first + i;
    batch.targetIndex[i] = probe;
    batch.rttNs[i] = probe % 100 === 99 ? -1 : 4_000 + ((probe * 7_919) % 5_000_000);
    batch.sendTimeUs[i] = startUs + 3 * probe;
  }
  batches.push(batch);
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
for (const batch of batches) {
  if (!process.stdout.write(probeLines(batch, targets, format, 64))) {
    await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
const cpu = process.cpuUsage(cpuBefore);
process.stderr.write(
  `lines=${lines} seconds=${((performance.now() - started) / 1000).toFixed(4)} cpuSeconds=${((cpu.user + cpu.system) / 1e6).toFixed(4)}\n`,
);
