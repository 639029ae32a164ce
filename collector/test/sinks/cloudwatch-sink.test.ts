import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type Dimension,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort, LocalMoto } from '@pingsphere/testbed';
import { CloudWatchSink, createCloudWatchSink } from '../../src/sinks/cloudwatch/cloudwatch-sink.js';
import { icmpBatchOf } from '../../src/icmp/icmp-batches.js';
import type { HttpResult } from '../../src/results/http-result.js';
import { httpResult, icmpResults } from '../fixtures/results.js';

const minuteStartUs = Math.floor(Date.now() / 60_000) * 60_000 * 1000 - 120_000_000;

/** `perPeer` samples a second for each peer, all inside one minute. */
function meshSamples(peers: number, perPeer: number): HttpResult[] {
  return Array.from({ length: peers * perPeer }, (_, i) =>
    httpResult({
      tsUs: minuteStartUs + Math.floor(i / peers) * 1_000_000 + (i % peers),
      dstLoc: `Peer${i % peers},XX`,
      connectMs: 1 + ((i * 7) % 13) / 10,
    }),
  );
}

describe('CloudWatchSink against moto', () => {
  let moto: LocalMoto;
  let client: CloudWatchClient;
  const warnings: string[] = [];

  beforeAll(async () => {
    moto = await LocalMoto.launch();
    client = new CloudWatchClient(moto.clientConfig());
  });

  beforeEach(async () => {
    await moto.reset();
    warnings.length = 0;
  });

  afterAll(async () => {
    await moto?.stop();
  });

  async function statistics(metric: string, dimensions: Dimension[]) {
    const reply = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'pingmesh',
        MetricName: metric,
        Dimensions: dimensions,
        StartTime: new Date(minuteStartUs / 1000 - 60_000),
        EndTime: new Date(minuteStartUs / 1000 + 120_000),
        Period: 60,
        Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'],
      }),
    );
    return reply.Datapoints ?? [];
  }

  it('publishes pingmesh-named TCP RTT series whose statistics match the measured samples', async () => {
    const sink = new CloudWatchSink(client, { warn: (m) => warnings.push(m) });
    const samples = meshSamples(3, 20);
    sink.write({ family: 'http', results: samples });
    sink.write({
      family: 'http',
      results: [httpResult({ tsUs: minuteStartUs, status: 0, ok: false, error: 'ECONNREFUSED' })],
    });
    await sink.close();

    const listed = await client.send(new ListMetricsCommand({ Namespace: 'pingmesh', MetricName: 'TCP RTT' }));
    expect(listed.Metrics).toHaveLength(3);
    expect(listed.Metrics![0]!.Dimensions!.map((d) => d.Name).sort()).toEqual([
      'FromLocation',
      'HTTP Resp Code',
      'TestUrl',
    ]);

    for (let peer = 0; peer < 3; peer++) {
      const mine = samples.filter((s) => s.dstLoc === `Peer${peer},XX`).map((s) => s.connectMs);
      const points = await statistics('TCP RTT', [
        { Name: 'TestUrl', Value: `Peer${peer},XX` },
        { Name: 'HTTP Resp Code', Value: '200' },
        { Name: 'FromLocation', Value: 'Frankfurt,DE' },
      ]);
      expect(points).toHaveLength(1);
      expect(points[0]!.SampleCount).toBe(mine.length);
      expect(points[0]!.Sum).toBeCloseTo(
        mine.reduce((a, b) => a + b, 0),
        6,
      );
      expect(points[0]!.Minimum).toBe(Math.min(...mine));
      expect(points[0]!.Maximum).toBe(Math.max(...mine));
    }
    // The failed request publishes no RTT (as in pingmesh) but is accounted for.
    expect(sink.stats()).toEqual({ delivered: 61, pending: 0, dropped: 0 });
    expect(warnings).toEqual([]);
  });

  it('publishes ICMP RTT and loss per reporter; the loss average is the share of lost probes', async () => {
    // Per-target series off: moto, unlike CloudWatch, also matches series with extra dimensions.
    const sink = new CloudWatchSink(client, { icmpPerTargetLimit: 0 });
    const probes = icmpResults(50, { startUs: minuteStartUs });
    sink.write(icmpBatchOf(probes));
    await sink.close();
    const reporter = [{ Name: 'FromLocation', Value: 'Frankfurt,DE' }];
    const [loss] = await statistics('ICMP Loss', reporter);
    expect(loss!.SampleCount).toBe(50);
    expect(loss!.Average).toBeCloseTo((100 * probes.filter((p) => p.rttMs === null).length) / 50, 6);
    const [rtt] = await statistics('ICMP RTT', reporter);
    const replies = probes.flatMap((p) => (p.rttMs === null ? [] : [p.rttMs]));
    expect(rtt!.SampleCount).toBe(replies.length);
    expect(rtt!.Sum).toBeCloseTo(
      replies.reduce((a, b) => a + b, 0),
      6,
    );
    expect(rtt!.Maximum).toBe(Math.max(...replies));
  });

  it('adds per-target ICMP series while a sweep has few targets', async () => {
    const sink = new CloudWatchSink(client, { icmpPerTargetLimit: 100 });
    const probes = icmpResults(50, { startUs: minuteStartUs });
    sink.write(icmpBatchOf(probes));
    await sink.close();
    const lossSeries = await client.send(new ListMetricsCommand({ Namespace: 'pingmesh', MetricName: 'ICMP Loss' }));
    expect(lossSeries.Metrics).toHaveLength(51);
    const reporter = { Name: 'FromLocation', Value: 'Frankfurt,DE' };
    const [first] = await statistics('ICMP RTT', [{ Name: 'Target', Value: probes[0]!.dst }, reporter]);
    expect(first).toMatchObject({ SampleCount: 1, Maximum: probes[0]!.rttMs });
    const [lost] = await statistics('ICMP Loss', [{ Name: 'Target', Value: probes[4]!.dst }, reporter]);
    expect(lost).toMatchObject({ SampleCount: 1, Average: 100 });
  });

  it('needs at least 100x fewer calls than pingmesh (one per sample) for 10 peers pinged every second', async () => {
    const sink = new CloudWatchSink(client);
    const samples = meshSamples(10, 60);
    sink.write({ family: 'http', results: samples });
    await sink.close();
    const pingmeshCalls = samples.length;
    expect(sink.apiStats()).toEqual({ calls: 1, datums: 10 });
    expect(pingmeshCalls / sink.apiStats().calls).toBeGreaterThanOrEqual(100);
  });

  it('packs datums up to the per-request limit', async () => {
    const sink = new CloudWatchSink(client, { maxDatumsPerRequest: 1000 });
    sink.write({ family: 'http', results: meshSamples(2500, 1) });
    await sink.close();
    expect(sink.apiStats()).toEqual({ calls: 3, datums: 2500 });
    const listed = await client.send(new ListMetricsCommand({ Namespace: 'pingmesh' }));
    expect(listed.Metrics!.length + (listed.NextToken ? 1 : 0)).toBeGreaterThan(400);
  });

  it('reports an unreachable CloudWatch once, keeps metrics for a retry and counts them dropped at shutdown', async () => {
    const closedPort = await freeLoopbackPort();
    const unreachable = new CloudWatchClient({
      ...moto.clientConfig(),
      endpoint: `http://127.0.0.1:${closedPort}`,
      maxAttempts: 1,
    });
    const sink = new CloudWatchSink(unreachable, { warn: (m) => warnings.push(m) });
    sink.write({ family: 'http', results: meshSamples(2, 3) });
    await sink.flush();
    await sink.flush();
    expect(sink.stats()).toEqual({ delivered: 0, pending: 6, dropped: 0 });
    await sink.close();
    expect(sink.stats()).toEqual({ delivered: 0, pending: 0, dropped: 6 });
    expect(warnings.filter((w) => w.includes('is unreachable or throttling'))).toHaveLength(1);
    expect(warnings.at(-1)).toMatch(/dropped 2 metric datums: CloudWatch still unreachable at shutdown/);
  });

  it('is disabled with a warning, as in pingmesh, when AWS_REGION is missing', async () => {
    const sink = await createCloudWatchSink({}, { warn: (m) => warnings.push(m) });
    expect(sink).toBeUndefined();
    expect(warnings).toEqual(['-c needs AWS_REGION (and AWS credentials); CloudWatch publishing is disabled.']);
  });

  it('is disabled with a warning when there are no credentials', async () => {
    const sink = await createCloudWatchSink(
      { AWS_REGION: 'us-east-1', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent' },
      { warn: (m) => warnings.push(m) },
    );
    expect(sink).toBeUndefined();
    expect(warnings[0]).toMatch(/no AWS credentials.*AWS_ACCESS_KEY_ID/);
  });
});
