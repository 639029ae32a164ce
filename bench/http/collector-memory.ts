// Memory of a running collector, as an operator would read it: RSS and private memory from /proc
// (what `ps` shows, and what the process alone holds: RSS less the node binary's shared pages), the
// V8 heap from the collector's own /v1/memstats (used and committed; a small JSON answer, where a
// /metrics scrape of thousands of peers would itself move the figures). RSS every second, the
// heap every few seconds.
import { readFileSync } from 'node:fs';

export interface MemorySample {
  atS: number;
  rssMiB: number;
  /** Private_Clean + Private_Dirty: memory no other process shares. */
  privateMiB: number;
  /** V8 heap in use and committed, NaN when not scraped at this sample. */
  heapUsedMiB: number;
  heapTotalMiB: number;
}

/** RSS and private memory of a process, MiB. */
export function processMemory(pid: number): { rssMiB: number; privateMiB: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  return { rssMiB: kib('Rss') / 1024, privateMiB: (kib('Private_Clean') + kib('Private_Dirty')) / 1024 };
}

/** V8 heap used and committed from a /v1/memstats answer, MiB. */
export function heapFromMemstats(memstats: { MemStats: { HeapUsedBytes: number; HeapTotalBytes: number } }): {
  heapUsedMiB: number;
  heapTotalMiB: number;
} {
  return {
    heapUsedMiB: memstats.MemStats.HeapUsedBytes / 2 ** 20,
    heapTotalMiB: memstats.MemStats.HeapTotalBytes / 2 ** 20,
  };
}

/** Samples a collector's memory until stopped. */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private lastHeapAt = -Infinity;
  private scraping = false;

  constructor(
    private readonly pid: number,
    private readonly memstatsUrl: string,
    private readonly heapEveryS = 5,
  ) {
    this.timer = setInterval(() => void this.sample(), 1000);
    void this.sample();
  }

  /** Takes one sample now (with the heap), stops sampling and returns every sample. */
  async stop(): Promise<MemorySample[]> {
    clearInterval(this.timer);
    await this.sample(true);
    return this.samples;
  }

  private async sample(withHeap = false): Promise<void> {
    const atS = (Date.now() - this.startedAt) / 1000;
    let memory;
    try {
      memory = processMemory(this.pid);
    } catch {
      return; // exited
    }
    const sample: MemorySample = { atS, ...memory, heapUsedMiB: NaN, heapTotalMiB: NaN };
    this.samples.push(sample);
    if ((withHeap || atS - this.lastHeapAt >= this.heapEveryS) && !this.scraping) {
      this.lastHeapAt = atS;
      this.scraping = true;
      try {
        Object.assign(sample, heapFromMemstats((await (await fetch(this.memstatsUrl)).json()) as never));
      } catch {
        // a scrape that failed leaves NaN
      } finally {
        this.scraping = false;
      }
    }
  }
}

/** Summary of a series of samples: last and peak of each figure. */
export function memorySummary(samples: readonly MemorySample[]) {
  const last = samples.at(-1)!;
  const withHeap = samples.filter((s) => !Number.isNaN(s.heapUsedMiB));
  const lastHeap = withHeap.at(-1);
  return {
    rssMiB: last.rssMiB,
    peakRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
    privateMiB: last.privateMiB,
    heapUsedMiB: lastHeap?.heapUsedMiB ?? NaN,
    peakHeapUsedMiB: Math.max(...withHeap.map((s) => s.heapUsedMiB)),
    heapTotalMiB: lastHeap?.heapTotalMiB ?? NaN,
  };
}

/**
 * Whether memory stayed flat over a soak: least-squares slope of RSS and of heap used over the
 * second half of the samples (the first half includes warming up), in MiB per 10 minutes.
 */
export function memoryTrend(samples: readonly MemorySample[]): { rssPer10Min: number; heapPer10Min: number } {
  const slope = (points: { x: number; y: number }[]) => {
    const n = points.length;
    if (n < 2) return NaN;
    const mx = points.reduce((s, p) => s + p.x, 0) / n;
    const my = points.reduce((s, p) => s + p.y, 0) / n;
    const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
    return sxx === 0 ? NaN : points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  };
  const half = samples.slice(Math.floor(samples.length / 2));
  return {
    rssPer10Min: 600 * slope(half.map((s) => ({ x: s.atS, y: s.rssMiB }))),
    heapPer10Min:
      600 * slope(half.filter((s) => !Number.isNaN(s.heapUsedMiB)).map((s) => ({ x: s.atS, y: s.heapUsedMiB }))),
  };
}
