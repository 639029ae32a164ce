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

/**
 * Accumulates engine batches; memory is one byte per target and 4 bytes per reply. RTTs are kept
 * in whole microseconds (the summary's resolution): integers sort in a fraction of the time floats
 * take, which a million-reply sweep feels at its end.
 */
export class SweepTally {
  private readonly alive: Uint8Array;
  private rttsUs = new Uint32Array(1024);
  private sumUs = 0;
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
      if (this.replies === this.rttsUs.length) {
        const grown = new Uint32Array(this.rttsUs.length * 2);
        grown.set(this.rttsUs);
        this.rttsUs = grown;
      }
      const rttUs = Math.round(rttNs / 1e3);
      this.rttsUs[this.replies++] = rttUs;
      this.sumUs += rttUs;
    }
  }

  summary(): SweepSummary {
    let alive = 0;
    for (let i = 0; i < this.alive.length; i++) alive += this.alive[i]!;
    const probes = this.replies + this.lost;
    const sorted = this.rttsUs.subarray(0, this.replies).sort();
    const ms = (us: number) => us / 1e3;
    const at = (q: number) => ms(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
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
              min: ms(sorted[0]!),
              avg: ms(this.sumUs / sorted.length),
              max: ms(sorted[sorted.length - 1]!),
              p50: at(0.5),
              p90: at(0.9),
              p99: at(0.99),
            },
    };
  }
}
