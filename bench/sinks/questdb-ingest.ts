// How fast the QuestDB sink stores a 1,000,000-result sweep in the local QuestDB (the real jar).
// Target (issue 5): all rows stored (visible to SQL) within 5 s of the sweep's end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalQuestDb } from '@pingsphere/testbed';
import { QuestDbSink } from '../../collector/src/sinks/questdb/questdb-sink.js';
import type { IcmpResult } from '../../collector/src/results/icmp-result.js';

const batchSize = 4096;

function sweep(total: number, startUs: number): IcmpResult[][] {
  const batches: IcmpResult[][] = [];
  for (let i = 0; i < total; i += batchSize) {
    batches.push(
      Array.from({ length: Math.min(batchSize, total - i) }, (_, j) => {
        const n = i + j;
        return {
          tsUs: startUs + n,
          src: 'bench',
          srcLoc: 'Frankfurt,DE',
          dst: `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          seq: 0,
          flow: 0,
          rttMs: n % 50 === 0 ? null : 0.02 + (n % 7) / 1000,
        };
      }),
    );
  }
  return batches;
}

export interface IngestResult {
  rows: number;
  visible: number;
  acknowledgedAfterSweepS: number;
  storedAfterSweepS: number;
  rowsPerSecond: number;
  collectorCpuS: number;
}

/** Hands a `total`-result sweep to the sink (4096-result batches, as the engine delivers them). */
export async function measureQuestDbIngest(total = 1_000_000): Promise<IngestResult> {
  const questdb = await LocalQuestDb.launch();
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-spool-'));
  try {
    const sink = await QuestDbSink.open({ conf: questdb.clientConf, spoolDir, warn: (m) => console.error(m) });
    // Warm up: schema creation and the first connection are not part of the measurement.
    sink.write({ family: 'icmp', results: sweep(10, Date.UTC(2026, 0, 1) * 1000).flat() });
    await sink.flush();
    const batches = sweep(total, Date.UTC(2026, 10, 22) * 1000);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const batch of batches) sink.write({ family: 'icmp', results: batch });
    const sweepEnd = performance.now();
    await sink.flush();
    const acknowledged = performance.now();
    let visible = 0;
    while (visible < total && performance.now() - sweepEnd < 60_000) {
      visible = Number(
        (await questdb.query("select count() from icmp where src = 'bench' and ts >= '2026-11-22'")).dataset[0]![0],
      );
      if (visible < total) await new Promise((r) => setTimeout(r, 50));
    }
    const stored = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    const ackSeconds = (acknowledged - sweepEnd) / 1000;
    const storedSeconds = (stored - sweepEnd) / 1000;
    const result: IngestResult = {
      rows: total,
      visible,
      acknowledgedAfterSweepS: Number(ackSeconds.toFixed(2)),
      storedAfterSweepS: Number(storedSeconds.toFixed(2)),
      rowsPerSecond: Math.round(total / ((stored - started) / 1000)),
      collectorCpuS: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    };
    await sink.close();
    return result;
  } finally {
    await questdb.dispose();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}
