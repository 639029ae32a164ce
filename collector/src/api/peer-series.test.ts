import { Counter, Gauge, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PeerSeriesFamily, rttBucketsSeconds, type PeerObservation } from './peer-series.js';

/** The same series kept by prom-client, as /metrics kept them before peer-series.ts. */
function promClientReference() {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];
  const connect = new Histogram({
    name: 'pingsphere_http_connect_seconds',
    help: 'TCP handshake time per peer (the network round-trip estimate, pingmesh TcpHs)',
    labelNames: ['peer'],
    buckets: rttBucketsSeconds,
    registers,
  });
  const request = new Histogram({
    name: 'pingsphere_http_request_seconds',
    help: 'Whole request time per peer (DNS to last byte)',
    labelNames: ['peer'],
    buckets: rttBucketsSeconds,
    registers,
  });
  const pings = new Counter({
    name: 'pingsphere_http_pings',
    help: 'Pings per peer by outcome (ok: status <= 304; fail: anything else); loss = fail / (ok + fail)',
    labelNames: ['peer', 'outcome'],
    registers,
  });
  const failures = new Counter({
    name: 'pingsphere_http_failures',
    help: 'Failed pings per peer by error class (ECONNREFUSED, timeout, http_503, ...)',
    labelNames: ['peer', 'error'],
    registers,
  });
  const info = new Gauge({
    name: 'pingsphere_http_peer_info',
    help: 'Location of each active peer (value is always 1)',
    labelNames: ['peer', 'location'],
    registers,
  });
  const locations = new Map<string, string>();
  return {
    registry,
    observe(o: PeerObservation) {
      pings.inc({ peer: o.peer, outcome: o.ok ? 'ok' : 'fail' });
      if (o.ok) {
        connect.observe({ peer: o.peer }, o.connectSeconds);
        request.observe({ peer: o.peer }, o.requestSeconds);
      } else {
        failures.inc({ peer: o.peer, error: o.error || 'unknown' });
      }
      if (locations.get(o.peer) !== o.location) {
        const previous = locations.get(o.peer);
        if (previous !== undefined) info.remove({ peer: o.peer, location: previous });
        locations.set(o.peer, o.location);
        info.set({ peer: o.peer, location: o.location }, 1);
      }
    },
    forget(peer: string) {
      const location = locations.get(peer);
      if (location !== undefined) info.remove({ peer, location });
      locations.delete(peer);
    },
  };
}

/** The exposition's lines grouped by family, each family's samples sorted (order within one is free). */
function families(text: string): Map<string, string[]> {
  const byFamily = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    const help = /^# HELP (\S+)/.exec(line);
    if (help) current = help[1]!;
    byFamily.set(current, [...(byFamily.get(current) ?? []), line]);
  }
  for (const [name, lines] of byFamily) byFamily.set(name, [...lines.slice(0, 2), ...lines.slice(2).sort()]);
  return byFamily;
}

describe('PeerSeriesFamily', () => {
  it('writes the same OpenMetrics text as prom-client did for the same pings', async () => {
    const ours = new PeerSeriesFamily();
    const reference = promClientReference();
    const peers = ['http://127.0.0.1:8080/v1/ping', 'https://b.example/v1/ping', 'http://q"uo\\te\nd/'];
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let i = 0; i < 600; i++) {
      const peer = peers[i % peers.length]!;
      const ok = random() > 0.2;
      const observation: PeerObservation = {
        peer,
        ok,
        // Exact bucket bounds too: a value on a bound counts in that bucket.
        connectSeconds: i % 50 === 0 ? 0.005 : random() ** 3 * 12,
        requestSeconds: random() ** 2 * 15,
        error: ok ? '' : ['ECONNREFUSED', 'timeout', 'http_503', ''][i % 4]!,
        location: i < 300 ? '' : `Lisbon,PT ${peer.length}`,
      };
      ours.observe(observation);
      reference.observe(observation);
    }
    ours.forget(peers[1]!);
    reference.forget(peers[1]!);
    const expected = families(await reference.registry.metrics());
    expect(families([...ours.text()].join(''))).toEqual(expected);
  });

  it('writes a scrape of thousands of peers in chunks', () => {
    const ours = new PeerSeriesFamily();
    for (let i = 0; i < 5000; i++) {
      ours.observe({
        peer: `http://127.10.0.${i}/`,
        ok: true,
        connectSeconds: 1e-4,
        requestSeconds: 1e-3,
        error: '',
        location: 'X',
      });
    }
    const chunks = [...ours.text()];
    expect(chunks.length).toBeGreaterThan(20);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(500_000);
    expect(chunks.join('').match(/_count\{/g)).toHaveLength(2 * 5000);
  });
});
