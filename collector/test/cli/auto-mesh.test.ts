import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@pingsphere/testbed';
import {
  hangGuardMs,
  startCollector,
  startPacedServer,
  type PacedServer,
  type RecordedProcess,
} from '../helpers/processes.js';
import { metricSample } from '../helpers/metrics-text.js';

interface PeersDocument {
  Peers: Array<{ Url: string; Origin: string; Depth: number }>;
}

describe('--auto-mesh', () => {
  const collectors: RecordedProcess[] = [];
  const servers: PacedServer[] = [];
  afterAll(async () => {
    await Promise.all([...collectors.map((c) => c.stop()), ...servers.map((s) => s.stop())]);
  });

  it('grows the mesh from peer lists within the depth, peer-count and network limits', async () => {
    const port = await freeLoopbackPort();
    const url = (address: string, p = port) => `http://${address}:${p}/v1/ping`;
    // Leaves: D is two hops from A (too deep), X is outside A's allowed networks.
    const [leafD, leafX] = await Promise.all([
      startPacedServer({ hosts: ['127.0.0.5'] }),
      startPacedServer({ hosts: ['127.0.0.9'] }),
    ]);
    servers.push(leafD!, leafX!);
    const common = ['-s', String(port), '-d', '0.2', '-q'];
    const b = startCollector([...common, '--listen', '127.0.0.2', url('127.0.0.3'), url('127.0.0.9', leafX!.port)]);
    const c = startCollector([...common, '--listen', '127.0.0.3', url('127.0.0.5', leafD!.port)]);
    const auto = ['--auto-mesh', '--mesh-allow', '127.0.0.0/29', '--mesh-interval', '0.3', '--mesh-max-depth', '1'];
    // A runs without -q: its additions are logged.
    const a = startCollector(['-s', String(port), '-d', '0.2', '--listen', '127.0.0.1', ...auto, url('127.0.0.2')]);
    const capped = startCollector([
      ...common,
      '--listen',
      '127.0.0.4',
      ...auto,
      '--mesh-max-peers',
      '1',
      url('127.0.0.2'),
    ]);
    collectors.push(a, b, c, capped);
    const peersOf = async (address: string) =>
      ((await (await fetch(`http://${address}:${port}/v1/peers`)).json()) as PeersDocument).Peers;

    await a.waitFor(async () => (await peersOf('127.0.0.1')).length >= 2, hangGuardMs, 'A to discover C through B');
    // Several more rounds: nothing else may be added.
    await new Promise((r) => setTimeout(r, 1500));
    const peers = await peersOf('127.0.0.1');
    expect(peers.map((p) => [p.Url, p.Origin, p.Depth])).toEqual([
      [url('127.0.0.2'), 'cli', 0],
      [url('127.0.0.3'), 'auto', 1],
    ]);
    expect(a.stderr).toContain(`auto-mesh: added ${url('127.0.0.3')}`);
    // The capped collector already has its one peer, so discovery adds nothing — checked once
    // it has really read B's list (twice), not merely before its first round.
    const metricOf = async (address: string, sample: string) =>
      metricSample(await (await fetch(`http://${address}:${port}/metrics`)).text(), sample);
    await capped.waitFor(
      async () => (await metricOf('127.0.0.4', 'pingsphere_automesh_lists_read')) >= 2,
      hangGuardMs,
      'the capped collector to read two peer lists',
    );
    expect((await peersOf('127.0.0.4')).map((p) => p.Url)).toEqual([url('127.0.0.2')]);
    expect(await metricOf('127.0.0.4', 'pingsphere_automesh_refused{fence="max_peers"}')).toBeGreaterThanOrEqual(2);
  });
});
