import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { ResultBatch } from '../../results/result-batch.js';
import type { ResultSink, SinkStats } from '../result-sink.js';
import { MetricAggregator, pingmeshMetric } from './metric-aggregator.js';

export interface CloudWatchSinkOptions {
  client: CloudWatchClient;
  namespace?: string;
  /** Aggregation period; 60 s is CloudWatch's standard resolution, shorter uses high resolution. */
  periodSeconds?: number;
  icmpPerTargetLimit?: number;
  /** PutMetricData accepts up to 1,000 datums per request. */
  maxDatumsPerRequest?: number;
  /** Datums kept for a retry when CloudWatch is unreachable; beyond it the oldest are dropped. */
  maxPendingDatums?: number;
  warn?: (message: string) => void;
}

// Errors that retrying will not fix: they are reported once, clearly.
const configurationErrors =
  /CredentialsProviderError|Could not load credentials|Region is missing|InvalidClientTokenId|UnrecognizedClient|AccessDenied|SignatureDoesNotMatch|ExpiredToken/i;

interface PendingDatum {
  datum: MetricDatum;
  periodStartMs: number;
}

/**
 * Publishes RTT and loss to CloudWatch with pingmesh's namespace, metric and dimension names, but
 * aggregated per series and period and packed up to the request limit: a mesh of 10 peers pinged
 * every second costs one call a minute instead of 600.
 */
export class CloudWatchSink implements ResultSink {
  readonly name = 'cloudwatch';
  private readonly aggregator: MetricAggregator;
  private readonly options: Required<Omit<CloudWatchSinkOptions, 'client'>>;
  private readonly timer: NodeJS.Timeout;
  private retryQueue: PendingDatum[] = [];
  private publishing: Promise<void> = Promise.resolve();
  /** Results per period, and how many datums of the period are still unsent. */
  private readonly periods = new Map<number, { results: number; unsent: number; failed: boolean }>();
  private delivered = 0;
  private dropped = 0;
  private calls = 0;
  private datumsSent = 0;
  private reported = new Set<string>();

  constructor(
    private readonly client: CloudWatchClient,
    options: Omit<CloudWatchSinkOptions, 'client'> = {},
  ) {
    this.options = {
      namespace: pingmeshMetric.namespace,
      periodSeconds: 60,
      icmpPerTargetLimit: 100,
      maxDatumsPerRequest: 1000,
      maxPendingDatums: 100_000,
      warn: (message) => process.stderr.write(`cloudwatch sink: ${message}\n`),
      ...options,
    };
    this.aggregator = new MetricAggregator(this.options);
    // Check a few times per period so a closed period goes out soon after it ends.
    this.timer = setInterval(
      () => void this.publishClosedPeriods(false),
      Math.min(this.options.periodSeconds * 250, 15_000),
    );
    this.timer.unref();
  }

  write(batch: ResultBatch): void {
    if (batch.family === 'path') return; // no metric of pingmesh's is per traced hop
    this.aggregator.add(batch);
    const periodMs = this.options.periodSeconds * 1000;
    const count = (tsUs: number) => {
      const start = Math.floor(tsUs / 1000 / periodMs) * periodMs;
      const period = this.periods.get(start) ?? { results: 0, unsent: 0, failed: false };
      period.results += 1;
      this.periods.set(start, period);
    };
    if (batch.family === 'icmp') for (let i = 0; i < batch.length; i++) count(batch.sendTimeUs[i]!);
    else for (const r of batch.results) count(r.tsUs);
  }

  stats(): SinkStats {
    const pending = [...this.periods.values()].reduce((sum, p) => sum + p.results, 0);
    return { delivered: this.delivered, pending, dropped: this.dropped };
  }

  /** API usage figures, for comparing with pingmesh's one call per sample. */
  apiStats(): { calls: number; datums: number } {
    return { calls: this.calls, datums: this.datumsSent };
  }

  /** Publishes every period, including the one still open. */
  async flush(): Promise<void> {
    await this.publishClosedPeriods(true);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.retryQueue.length > 0) this.dropPending(this.retryQueue, 'CloudWatch still unreachable at shutdown');
    this.retryQueue = [];
  }

  private publishClosedPeriods(everything: boolean): Promise<void> {
    // One publication at a time, so the request rate stays predictable.
    this.publishing = this.publishing.then(async () => {
      const fresh = this.aggregator.drain(Date.now(), everything).map((datum) => ({
        datum,
        periodStartMs: datum.Timestamp!.getTime(),
      }));
      for (const { periodStartMs } of fresh) {
        const period = this.periods.get(periodStartMs);
        if (period) period.unsent += 1;
      }
      // Closed periods whose results made no datum (failed HTTP requests publish no TCP RTT, as
      // in pingmesh) are done.
      const periodMs = this.options.periodSeconds * 1000;
      for (const [start, period] of this.periods) {
        if (period.unsent === 0 && (everything || start + periodMs <= Date.now())) {
          this.periods.delete(start);
          this.delivered += period.results;
        }
      }
      const work = [...this.retryQueue, ...fresh];
      this.retryQueue = [];
      for (let i = 0; i < work.length; i += this.options.maxDatumsPerRequest) {
        const chunk = work.slice(i, i + this.options.maxDatumsPerRequest);
        if (!(await this.send(chunk))) this.retryQueue.push(...chunk);
      }
      if (this.retryQueue.length > this.options.maxPendingDatums) {
        const excess = this.retryQueue.splice(0, this.retryQueue.length - this.options.maxPendingDatums);
        this.dropPending(excess, `more than ${this.options.maxPendingDatums} datums waiting for CloudWatch`);
      }
    });
    return this.publishing;
  }

  private async send(chunk: PendingDatum[]): Promise<boolean> {
    try {
      this.calls += 1;
      await this.client.send(
        new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData: chunk.map((p) => p.datum) }),
      );
      this.datumsSent += chunk.length;
      for (const { periodStartMs } of chunk) this.settle(periodStartMs, false);
      return true;
    } catch (error) {
      const message = `${(error as Error).name}: ${(error as Error).message}`;
      const kind = configurationErrors.test(message) ? 'configuration' : 'unavailable';
      this.reportOnce(
        kind,
        kind === 'configuration'
          ? `CloudWatch refused our AWS configuration (${message}); check AWS_REGION and the credentials. Metrics are kept for a retry.`
          : `CloudWatch is unreachable or throttling after retries (${message}); metrics are kept for a retry.`,
      );
      return false;
    }
  }

  private dropPending(items: PendingDatum[], reason: string): void {
    for (const { periodStartMs } of items) this.settle(periodStartMs, true);
    this.options.warn(`dropped ${items.length} metric datums: ${reason}`);
  }

  /** Counts a period's results as delivered once all its datums went out (dropped if any was lost). */
  private settle(periodStartMs: number, failed: boolean): void {
    const period = this.periods.get(periodStartMs);
    if (!period) return;
    period.unsent -= 1;
    period.failed ||= failed;
    if (period.unsent > 0) return;
    this.periods.delete(periodStartMs);
    if (period.failed) this.dropped += period.results;
    else this.delivered += period.results;
  }

  private reportOnce(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.options.warn(message);
  }
}

/**
 * Builds the sink for `-c` as pingmesh does: without AWS_REGION or credentials it warns and
 * returns undefined (CloudWatch disabled) instead of failing. AWS_ENDPOINT_URL(_CLOUDWATCH) is
 * honoured by the SDK, which is how tests point it at moto.
 */
export async function createCloudWatchSink(
  env: NodeJS.ProcessEnv,
  options: Omit<CloudWatchSinkOptions, 'client'> = {},
): Promise<CloudWatchSink | undefined> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`cloudwatch sink: ${message}\n`));
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    warn('-c needs AWS_REGION (and AWS credentials); CloudWatch publishing is disabled.');
    return undefined;
  }
  const client = new CloudWatchClient({ region, maxAttempts: 6, retryMode: 'adaptive' });
  try {
    await client.config.credentials();
  } catch (error) {
    warn(
      `-c found no AWS credentials (${(error as Error).message}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile. CloudWatch publishing is disabled.`,
    );
    return undefined;
  }
  return new CloudWatchSink(client, { ...options, warn });
}
