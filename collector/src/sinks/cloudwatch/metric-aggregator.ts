import type { Dimension, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { ResultBatch } from '../../results/result-batch.js';

/** Names compatible with pingmesh's CloudWatch output (perftest's cw.PublishRespTime). */
export const pingmeshMetric = {
  namespace: 'pingmesh',
  tcpRtt: 'TCP RTT',
  targetDimension: 'TestUrl',
  codeDimension: 'HTTP Resp Code',
  reporterDimension: 'FromLocation',
} as const;

/** PingSphere's ICMP metrics, beside pingmesh's. */
export const icmpMetric = { rtt: 'ICMP RTT', loss: 'ICMP Loss', targetDimension: 'Target' } as const;

interface Cell {
  metricName: string;
  dimensions: Dimension[];
  periodStartMs: number;
  unit: 'Milliseconds' | 'Percent';
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface AggregatorOptions {
  periodSeconds: number;
  /** Above this many distinct ICMP targets in one period, only the per-reporter aggregate is kept. */
  icmpPerTargetLimit: number;
}

/**
 * Folds samples into one statistic set (count, sum, min, max) per metric, dimension set and
 * period, so that CloudWatch receives one datum per series per period instead of one call per
 * sample as pingmesh did.
 */
export class MetricAggregator {
  private readonly cells = new Map<string, Cell>();

  constructor(private readonly options: AggregatorOptions) {}

  get size(): number {
    return this.cells.size;
  }

  add(batch: ResultBatch): void {
    if (batch.family === 'http') {
      for (const r of batch.results) {
        // pingmesh publishes only requests that got a response; its code dimension is "%03d".
        if (r.status <= 0) continue;
        this.addSample(pingmeshMetric.tcpRtt, 'Milliseconds', r.tsUs, r.connectMs, [
          { Name: pingmeshMetric.targetDimension, Value: r.dstLoc || r.dstIp || r.dst },
          { Name: pingmeshMetric.codeDimension, Value: String(r.status).padStart(3, '0') },
          { Name: pingmeshMetric.reporterDimension, Value: r.srcLoc || r.src },
        ]);
      }
      return;
    }
    if (batch.family === 'icmp_sweep') return; // pingmesh's metrics have nothing per sweep
    if (batch.family === 'path') return; // nor per traced hop: paths live in QuestDB
    const reporter = { Name: pingmeshMetric.reporterDimension, Value: batch.srcLoc || batch.src };
    const perTarget = new Set(batch.targetIndex).size <= this.options.icmpPerTargetLimit;
    for (let i = 0; i < batch.length; i++) {
      const rttNs = batch.rttNs[i]!;
      const tsUs = batch.sendTimeUs[i]!;
      const dimensionSets: Dimension[][] = [[reporter]];
      if (perTarget) {
        const dst = batch.targets.addressAt(batch.targetIndex[i]!);
        dimensionSets.push([{ Name: icmpMetric.targetDimension, Value: dst }, reporter]);
      }
      for (const dimensions of dimensionSets) {
        // Loss as a 0/100 sample per probe: the period's Average is the loss percentage.
        this.addSample(icmpMetric.loss, 'Percent', tsUs, rttNs < 0 ? 100 : 0, dimensions);
        if (rttNs >= 0) this.addSample(icmpMetric.rtt, 'Milliseconds', tsUs, rttNs / 1e6, dimensions);
      }
    }
  }

  /** Removes and returns datums of periods that ended before `nowMs` (all of them when `everything`). */
  drain(nowMs: number, everything = false): MetricDatum[] {
    const periodMs = this.options.periodSeconds * 1000;
    const datums: MetricDatum[] = [];
    for (const [key, cell] of this.cells) {
      if (!everything && cell.periodStartMs + periodMs > nowMs) continue;
      this.cells.delete(key);
      datums.push({
        MetricName: cell.metricName,
        Dimensions: cell.dimensions,
        Timestamp: new Date(cell.periodStartMs),
        Unit: cell.unit,
        StatisticValues: { SampleCount: cell.count, Sum: cell.sum, Minimum: cell.min, Maximum: cell.max },
        ...(this.options.periodSeconds < 60 ? { StorageResolution: 1 } : {}),
      });
    }
    return datums;
  }

  private addSample(
    metricName: string,
    unit: Cell['unit'],
    tsUs: number,
    value: number,
    dimensions: Dimension[],
  ): void {
    const periodMs = this.options.periodSeconds * 1000;
    const periodStartMs = Math.floor(tsUs / 1000 / periodMs) * periodMs;
    const key = `${metricName}\u0000${periodStartMs}\u0000${dimensions.map((d) => `${d.Name}=${d.Value}`).join('\u0000')}`;
    const cell = this.cells.get(key);
    if (cell) {
      cell.count += 1;
      cell.sum += value;
      cell.min = Math.min(cell.min, value);
      cell.max = Math.max(cell.max, value);
    } else {
      this.cells.set(key, {
        metricName,
        dimensions,
        periodStartMs,
        unit,
        count: 1,
        sum: value,
        min: value,
        max: value,
      });
    }
  }
}
