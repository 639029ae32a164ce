// Per-peer statistics: pingmesh's running sums (for its averages and /v1/peers PingTotals) plus
// what pingmesh lacks: loss and percentiles. Percentiles come from a bounded window of the most
// recent samples (a ring), so they describe the peer as it is now and cost fixed memory per peer.
import type { HttpResult, HttpTimings } from '../results/http-result.js';

/**
 * Samples kept per peer for percentiles and windowed loss: at -d 10 that is the last 42 minutes.
 * Bounded so that 5,000 peers cost megabytes, not hundreds of them.
 */
export const percentileWindowSize = 256;

/** The most recent `capacity` numbers, oldest overwritten first; storage grows as samples come. */
export class RecentSamples {
  // Single precision is plenty for milliseconds (7 significant digits) and halves the memory.
  private values: Float32Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.values = new Float32Array(Math.min(8, capacity));
  }

  push(value: number): void {
    if (this.filled === this.values.length && this.filled < this.capacity) {
      const grown = new Float32Array(Math.min(this.capacity, this.values.length * 2));
      grown.set(this.values); // not yet wrapped: oldest first, and the next slot is the old length
      this.next = this.values.length;
      this.values = grown;
    }
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
  }

  get size(): number {
    return this.filled;
  }

  /** Nearest-rank percentiles (q in 0..1) of the samples held, NaN when there are none. */
  quantiles(qs: readonly number[]): number[] {
    if (this.filled === 0) return qs.map(() => NaN);
    const sorted = this.values.slice(0, this.filled).sort();
    return qs.map((q) => sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil(q * this.filled) - 1))]!);
  }

  /** Mean of the samples held, NaN when there are none. */
  mean(): number {
    if (this.filled === 0) return NaN;
    let sum = 0;
    for (let i = 0; i < this.filled; i++) sum += this.values[i]!;
    return sum / this.filled;
  }
}

/** Sums of the timing fields over successful pings (milliseconds, bytes). */
export interface TimingTotals extends HttpTimings {
  sizeBytes: number;
}

/** P50/P90/P99 in milliseconds (null when there is no sample yet); Go-style names as in /v1/peers. */
export interface Percentiles {
  P50: number | null;
  P90: number | null;
  P99: number | null;
}

/** Everything recorded about one peer's pings. */
export class PeerStats {
  /** Successful pings (status <= 304), as pingmesh counts Pings. */
  pings = 0;
  fails = 0;
  /** Microseconds since the epoch; 0 = never. */
  firstPingUs = 0;
  latestPingUs = 0;
  lastStatus = 0;
  lastRemoteIp = '';
  readonly totals: TimingTotals = { dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, closeMs: 0, totalMs: 0, sizeBytes: 0 };
  private readonly recentTotalMs = new RecentSamples(percentileWindowSize);
  private readonly recentConnectMs = new RecentSamples(percentileWindowSize);
  /** 1 per failed, 0 per successful ping, over the same window length. */
  private readonly recentLoss = new RecentSamples(percentileWindowSize);

  /** Adds one result. */
  record(result: HttpResult): void {
    this.lastStatus = result.status;
    if (result.dstIp) this.lastRemoteIp = result.dstIp;
    this.recentLoss.push(result.ok ? 0 : 1);
    if (!result.ok) {
      this.fails++;
      return;
    }
    this.pings++;
    if (this.firstPingUs === 0) this.firstPingUs = result.tsUs;
    this.latestPingUs = result.tsUs;
    this.totals.dnsMs += result.dnsMs;
    this.totals.connectMs += result.connectMs;
    this.totals.tlsMs += result.tlsMs;
    this.totals.ttfbMs += result.ttfbMs;
    this.totals.closeMs += result.closeMs;
    this.totals.totalMs += result.totalMs;
    this.totals.sizeBytes += result.sizeBytes;
    this.recentTotalMs.push(result.totalMs);
    this.recentConnectMs.push(result.connectMs);
  }

  /** Share of failed pings over the whole run, in percent (0 before any ping). */
  lossPct(): number {
    const attempts = this.pings + this.fails;
    return attempts === 0 ? 0 : (100 * this.fails) / attempts;
  }

  /** Share of failed pings among the most recent ones, in percent. */
  recentLossPct(): number {
    const mean = this.recentLoss.mean();
    return Number.isNaN(mean) ? 0 : 100 * mean;
  }

  /** Samples behind the percentiles. */
  get windowSamples(): number {
    return this.recentTotalMs.size;
  }

  totalPercentiles(): Percentiles {
    return toPercentiles(this.recentTotalMs);
  }

  connectPercentiles(): Percentiles {
    return toPercentiles(this.recentConnectMs);
  }
}

function toPercentiles(samples: RecentSamples): Percentiles {
  const [p50, p90, p99] = samples.quantiles([0.5, 0.9, 0.99]).map((v) => (Number.isNaN(v) ? null : round3(v)));
  return { P50: p50 ?? null, P90: p90 ?? null, P99: p99 ?? null };
}

/** Rounds to microsecond precision for display and JSON. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
