import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMoto } from '../src/index.js';

describe('LocalMoto', () => {
  let moto: LocalMoto;

  beforeAll(async () => {
    moto = await LocalMoto.launch();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('accepts a metric from the AWS SDK and lists it with its statistics', async () => {
    const cloudwatch = new CloudWatchClient(moto.clientConfig());
    const timestamp = new Date();
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'pingsphere-harness',
        MetricData: [
          {
            MetricName: 'TCP RTT',
            Dimensions: [{ Name: 'Reporter', Value: 'Frankfurt,DE' }],
            Timestamp: timestamp,
            Unit: 'Milliseconds',
            StatisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 },
          },
        ],
      }),
    );
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'pingsphere-harness' }));
    expect(listed.Metrics?.map((m) => m.MetricName)).toEqual(['TCP RTT']);

    const stats = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'pingsphere-harness',
        MetricName: 'TCP RTT',
        Dimensions: [{ Name: 'Reporter', Value: 'Frankfurt,DE' }],
        StartTime: new Date(timestamp.getTime() - 60_000),
        EndTime: new Date(timestamp.getTime() + 60_000),
        Period: 60,
        Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum'],
      }),
    );
    const points = stats.Datapoints ?? [];
    expect(points.reduce((n, p) => n + (p.SampleCount ?? 0), 0)).toBe(4);
    expect(Math.min(...points.map((p) => p.Minimum ?? Infinity))).toBe(1);
    expect(Math.max(...points.map((p) => p.Maximum ?? -Infinity))).toBe(4);
  });
});
