// Running totals of a sweep for its summary: per-target "alive", loss, and RTT percentiles.
import type { ProbeBatch } from '@pingsphere/native';

export interface SweepSummary {
  targets: number;
  alive: number;
  unreachable: number;
  probes: number;
  replies: number;
  lost: number;
  lossPercent: number;
  /** RTT statistics over every reply, null when none came back. */
  rttMs: { min: number; avg: number; max: number; p50: number; p90: number; p99: number } | null;
}

/** Accumulates engine batches; memory is one byte per target and 8 bytes per reply. */
export class SweepTally {
  private readonly alive: Uint8Array;
  private rttsMs = new Float64Array(1024);
  private replies = 0;
  private lost = 0;

  constructor(private readonly targetCount: number) {
    this.alive = new Uint8Array(targetCount);
  }

  add(batch: ProbeBatch): void {
    for (let i = 0; i < batch.rttNs.length; i++) {
      const rttNs = batch.rttNs[i]!;
      if (rttNs < 0) {
        this.lost++;
        continue;
      }
      this.alive[batch.targetIndex[i]!] = 1;
      if (this.replies === this.rttsMs.length) {
        const grown = new Float64Array(this.rttsMs.length * 2);
        grown.set(this.rttsMs);
        this.rttsMs = grown;
      }
      this.rttsMs[this.replies++] = rttNs / 1e6;
    }
  }

  summary(): SweepSummary {
    let alive = 0;
    for (let i = 0; i < this.alive.length; i++) alive += this.alive[i]!;
    const probes = this.replies + this.lost;
    const sorted = this.rttsMs.slice(0, this.replies).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return {
      targets: this.targetCount,
      alive,
      unreachable: this.targetCount - alive,
      probes,
      replies: this.replies,
      lost: this.lost,
      lossPercent: probes === 0 ? 0 : (100 * this.lost) / probes,
      rttMs:
        sorted.length === 0
          ? null
          : {
              min: sorted[0]!,
              avg: sum / sorted.length,
              max: sorted[sorted.length - 1]!,
              p50: at(0.5),
              p90: at(0.9),
              p99: at(0.99),
            },
    };
  }
}
