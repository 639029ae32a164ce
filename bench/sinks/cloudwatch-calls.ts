// CloudWatch API calls per minute for the same mesh: PingSphere's aggregating sink against
// pingmesh's publisher (one PutMetricData per sample, as perftest's cw.PublishRespTime does), both
// run for real against moto_server.
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { LocalMoto } from '@pingsphere/testbed';
import { CloudWatchSink } from '../../collector/src/sinks/cloudwatch/cloudwatch-sink.js';
import type { HttpResult } from '../../collector/src/results/http-result.js';

export interface CloudWatchCallsResult {
  peers: number;
  intervalS: number;
  minutes: number;
  samples: number;
  pingmeshCallsPerMinute: number;
  pingsphereCallsPerMinute: number;
  ratio: number;
}

function meshMinute(peers: number, startUs: number): HttpResult[] {
  return Array.from({ length: peers * 60 }, (_, i) => ({
    tsUs: startUs + Math.floor(i / peers) * 1_000_000 + (i % peers),
    src: 'bench',
    srcLoc: 'Frankfurt,DE',
    dst: `http://127.0.0.${(i % peers) + 2}:8080/v1/ping`,
    dstHost: `127.0.0.${(i % peers) + 2}`,
    dstIp: `127.0.0.${(i % peers) + 2}`,
    dstLoc: `Peer${i % peers},XX`,
    status: 200,
    dnsMs: 0,
    connectMs: 0.1 + (i % 10) / 100,
    tlsMs: 0,
    ttfbMs: 0.5,
    closeMs: 0.1,
    totalMs: 0.8,
    sizeBytes: 90,
    ok: true,
    error: '',
  }));
}

/** Runs `minutes` minutes of a `peers`-peer mesh pinged every second through both publishers. */
export async function measureCloudWatchCalls(peers = 10, minutes = 3): Promise<CloudWatchCallsResult> {
  const moto = await LocalMoto.launch();
  try {
    const client = new CloudWatchClient(moto.clientConfig());
    const firstMinuteUs = (Math.floor(Date.now() / 60_000) - minutes - 1) * 60_000_000;
    const sink = new CloudWatchSink(client);
    let pingmeshCalls = 0;
    let samples = 0;
    for (let m = 0; m < minutes; m++) {
      const minute = meshMinute(peers, firstMinuteUs + m * 60_000_000);
      samples += minute.length;
      sink.write({ family: 'http', results: minute });
      for (const r of minute) {
        await client.send(
          new PutMetricDataCommand({
            Namespace: 'pingmesh-baseline',
            MetricData: [
              {
                MetricName: 'TCP RTT',
                Value: r.connectMs,
                Unit: 'Milliseconds',
                Timestamp: new Date(r.tsUs / 1000),
                Dimensions: [
                  { Name: 'TestUrl', Value: r.dstLoc },
                  { Name: 'HTTP Resp Code', Value: '200' },
                  { Name: 'FromLocation', Value: r.srcLoc },
                ],
              },
            ],
          }),
        );
        pingmeshCalls += 1;
      }
      // Each minute is a closed period by the time the next one starts.
      await sink.flush();
    }
    await sink.close();
    const ours = sink.apiStats().calls;
    return {
      peers,
      intervalS: 1,
      minutes,
      samples,
      pingmeshCallsPerMinute: pingmeshCalls / minutes,
      pingsphereCallsPerMinute: ours / minutes,
      ratio: pingmeshCalls / ours,
    };
  } finally {
    await moto.stop();
  }
}
