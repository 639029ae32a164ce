// --auto-mesh's fences, end to end: real collectors discover peers from real peer lists inside a
// network namespace of the test's own, with a real resolver (glibc reading the namespace's hosts
// file, which `ip netns exec` mounts over /etc/hosts). The peer lists come from fake mesh peers
// (collector/test/fixtures/paced-server.mjs with `peers`) that record every request they get, so
// the test sees exactly what the collectors sent. Each check waits on the collector's own
// /metrics for discovery rounds that really ran, never on the clock alone.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkNamespace } from '@pingsphere/testbed';
import {
  startCollectorIn,
  startPacedServer,
  type PacedServer,
  type ReceivedRequest,
  type RecordedProcess,
} from '../helpers/processes.js';
import { metricSample } from '../helpers/metrics-text.js';

const apiPort = 8080;
const listPort = 8081;
const leafPort = 8082;
/** Leaf peers, each pingable, all inside the allow-list below. */
const leaves = Array.from({ length: 12 }, (_, i) => `127.0.0.${20 + i}`);
const leafUrl = (host: string) => `http://${host}:${leafPort}/v1/ping`;
const allow = '127.0.0.0/27'; // 127.0.0.0 – 127.0.0.31
// A host name with two addresses, one outside the allow-list; and one with a single inside address.
const hostsFile = [
  '127.0.0.1 localhost',
  '::1 localhost',
  '127.0.0.11 inside.test',
  '127.0.0.12 split.test',
  '127.0.0.99 split.test',
  '127.0.0.13 moving.test',
].join('\n');

interface PeersDocument {
  NumActive: number;
  Peers: Array<{ Url: string; Origin: string; Depth: number }>;
}

describe('--auto-mesh fences, with real collectors and a real resolver in a namespace', () => {
  let ns: NetworkNamespace;
  let etcDir: string;
  let leafServer: PacedServer;
  let leafList: PacedServer;
  let fencedList: PacedServer;
  let movingList: PacedServer;
  const collectors: RecordedProcess[] = [];
  // One collector per fence, all started at once (they discover side by side):
  let rated: RecordedProcess; // --mesh-add-rate 12, on a list of 12 leaves
  let capped: RecordedProcess; // --mesh-max-peers 3, same list
  let split: RecordedProcess; // a list naming split.test, inside.test and 127.0.0.99
  let moving: RecordedProcess; // a list naming moving.test, whose address the test moves
  let ratedSpawned = 0;

  /** A GET inside the namespace (it has no link to the host), with curl. */
  const get = async (url: string): Promise<string> => {
    const result = await ns.exec('curl', ['-s', '-f', '--max-time', '10', url]);
    if (result.exitCode !== 0) throw new Error(`curl ${url} failed (${result.exitCode}): ${result.stderr}`);
    return result.stdout;
  };
  const peersOf = async (address: string) =>
    JSON.parse(await get(`http://${address}:${apiPort}/v1/peers`)) as PeersDocument;
  /** One scrape of the collector's /metrics: sample ("name" or 'name{label="x"}') → value, NaN if absent. */
  const scrape = async (address: string): Promise<(sample: string) => number> => {
    const text = await get(`http://${address}:${apiPort}/metrics`);
    return (sample) => metricSample(text, sample);
  };
  const metric = async (address: string, sample: string) => (await scrape(address))(sample);
  const startAutoMesh = (address: string, extra: string[], source: string) => {
    const collector = startCollectorIn(ns, [
      ...['--listen', address, '-s', String(apiPort), '-d', '0.5', '-q'],
      ...['--auto-mesh', '--mesh-allow', allow, '--mesh-interval', '0.3', '--mesh-max-depth', '1'],
      ...extra,
      source,
    ]);
    collectors.push(collector);
    return collector;
  };

  beforeAll(async () => {
    ns = await NetworkNamespace.create();
    // `ip netns exec` bind-mounts /etc/netns/NAME/hosts over /etc/hosts for every process it starts.
    etcDir = join('/etc/netns', ns.name);
    mkdirSync(etcDir, { recursive: true });
    writeFileSync(join(etcDir, 'hosts'), `${hostsFile}\n`);
    [leafServer, leafList, fencedList, movingList] = await Promise.all([
      startPacedServer(
        { hosts: [...leaves, '127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.99'], port: leafPort },
        ns,
      ),
      startPacedServer({ hosts: ['127.0.0.2'], port: listPort, peers: leaves.map(leafUrl) }, ns),
      startPacedServer(
        {
          hosts: ['127.0.0.3'],
          port: listPort,
          peers: [leafUrl('inside.test'), leafUrl('split.test'), leafUrl('127.0.0.99')],
        },
        ns,
      ),
      startPacedServer({ hosts: ['127.0.0.8'], port: listPort, peers: [leafUrl('moving.test')] }, ns),
    ]);
    ratedSpawned = performance.now();
    rated = startAutoMesh('127.0.0.1', ['--mesh-add-rate', '12'], `http://127.0.0.2:${listPort}/v1/ping`);
    capped = startAutoMesh(
      '127.0.0.4',
      ['--mesh-max-peers', '3', '--mesh-add-rate', '600'],
      `http://127.0.0.2:${listPort}/v1/ping`,
    );
    split = startAutoMesh('127.0.0.5', ['--mesh-add-rate', '600'], `http://127.0.0.3:${listPort}/v1/ping`);
    moving = startAutoMesh('127.0.0.6', ['--mesh-add-rate', '600'], `http://127.0.0.8:${listPort}/v1/ping`);
  });

  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
    await Promise.all([leafServer?.stop(), leafList?.stop(), fencedList?.stop(), movingList?.stop()]);
    await ns?.dispose();
    if (etcDir) rmSync(etcDir, { recursive: true, force: true });
  });

  it('adds no faster than --mesh-add-rate allows, and keeps adding at that rate', async () => {
    // 12 a minute: a burst of 2 (10 s worth), then one every 5 s. The list offers 12 new peers.
    const spawned = ratedSpawned;
    const discovered = async () => (await peersOf('127.0.0.1')).Peers.filter((p) => p.Origin === 'auto').length;
    // The bucket was made after the spawn, so this bound can only be generous, however slow the start.
    const allowedNow = () => 2 + ((performance.now() - spawned) / 60_000) * 12;
    // Sampled while it runs (waitFor swallows a failing check, so the samples are judged after).
    const samples: Array<{ seconds: number; added: number; allowed: number }> = [];
    await rated.waitFor(
      async () => {
        const added = await discovered();
        samples.push({ seconds: (performance.now() - spawned) / 1000, added, allowed: Math.floor(allowedNow()) });
        return added >= 3; // the burst and at least one refill
      },
      90_000,
      'a third addition',
    );
    expect(samples.filter((s) => s.added > s.allowed)).toEqual([]);
    expect(samples.some((s) => s.added === 2)).toBe(true); // the burst showed on its own before the refill
    // Not only a slow start: the rounds that ran were held back by the rate, and said so.
    expect(await metric('127.0.0.1', 'pingsphere_automesh_rounds')).toBeGreaterThanOrEqual(2);
    expect(await metric('127.0.0.1', 'pingsphere_automesh_refused{fence="rate"}')).toBeGreaterThan(0);
    expect(await metric('127.0.0.1', 'pingsphere_automesh_refused{fence="max_peers"}')).toBe(0);
    expect(await discovered()).toBeLessThanOrEqual(Math.floor(allowedNow()));
  });

  it('stops at --mesh-max-peers, as seen after discovery rounds that read the list', async () => {
    // Rounds that read the list with room for everything on it (600 a minute): only the cap holds it.
    await capped.waitFor(
      async () => (await metric('127.0.0.4', 'pingsphere_automesh_lists_read')) >= 3,
      90_000,
      'three peer lists read',
    );
    const peers = await peersOf('127.0.0.4');
    const metrics = await scrape('127.0.0.4'); // after the peer list: any round since only adds refusals
    expect(peers.NumActive).toBe(3);
    expect(peers.Peers.map((p) => p.Url)).toEqual([
      `http://127.0.0.2:${listPort}/v1/ping`,
      ...leaves.slice(0, 2).map(leafUrl),
    ]);
    expect(metrics('pingsphere_automesh_added')).toBe(2);
    // Every list read refuses the 10 leaves there is no room for; known peers are not counted as
    // refused. (A round in progress may have refused some of its 10 before the scrape.)
    const listsRead = metrics('pingsphere_automesh_lists_read');
    const refused = metrics('pingsphere_automesh_refused{fence="max_peers"}');
    expect(listsRead).toBeGreaterThanOrEqual(3);
    expect(refused).toBeGreaterThanOrEqual(10 * listsRead);
    expect(refused).toBeLessThan(10 * (listsRead + 1));
  });

  it('refuses a host name with any address outside --mesh-allow, and never connects to it', async () => {
    await split.waitFor(
      async () => (await metric('127.0.0.5', 'pingsphere_automesh_lists_read')) >= 3,
      90_000,
      'three peer lists read',
    );
    // The resolver works (inside.test was added and pinged), so split.test was refused for its
    // second address, not for want of an answer.
    const peers = await peersOf('127.0.0.5');
    expect(peers.Peers.map((p) => p.Url)).toEqual([`http://127.0.0.3:${listPort}/v1/ping`, leafUrl('inside.test')]);
    // Two entries refused per round: split.test (one address out) and the literal 127.0.0.99.
    expect(await metric('127.0.0.5', 'pingsphere_automesh_refused{fence="not_allowed"}')).toBeGreaterThanOrEqual(6);
    const reached = leafServer.requests();
    expect(reached.some((r) => r.host === `inside.test:${leafPort}` && r.local === '127.0.0.11')).toBe(true);
    expect(
      reached.filter((r) => r.host.startsWith('split.test') || r.local === '127.0.0.12' || r.local === '127.0.0.99'),
    ).toEqual([]);
  });

  it('keeps the fence when a discovered name later resolves outside --mesh-allow: never connects there', async () => {
    const atMoving = () => leafServer.requests().filter((r) => r.host === `moving.test:${leafPort}`);
    await moving.waitFor(
      () => atMoving().filter((r) => r.local === '127.0.0.13').length >= 2,
      90_000,
      'moving.test to be discovered and pinged at 127.0.0.13',
    );
    // The name now points outside the allow-list (a DNS answer that changed after the peer was
    // vetted). Rewritten in place: every process in the namespace sees the same file.
    writeFileSync(join(etcDir, 'hosts'), `${hostsFile.replace('127.0.0.13 moving.test', '127.0.0.99 moving.test')}\n`);
    const failures = 'pingsphere_http_failures_total{peer="http://moving.test:8082/v1/ping",error="not_allowed"}';
    const outside = () => atMoving().filter((r) => r.local !== '127.0.0.13');
    await moving.waitFor(
      async () => outside().length > 0 || (await metric('127.0.0.6', failures)) >= 3,
      60_000,
      'pings at the changed address (refused, or made)',
    );
    expect(outside()).toEqual([]);
    expect(await metric('127.0.0.6', failures)).toBeGreaterThanOrEqual(3);
  });

  it('never pushes anything to another host: every request any peer received was a GET of /v1/ping or /v1/peers', () => {
    const received: Array<ReceivedRequest & { server: string }> = [
      ...leafServer.requests().map((r) => ({ ...r, server: 'leaves' })),
      ...leafList.requests().map((r) => ({ ...r, server: 'list of leaves' })),
      ...fencedList.requests().map((r) => ({ ...r, server: 'fenced list' })),
      ...movingList.requests().map((r) => ({ ...r, server: 'moving list' })),
    ];
    // Not vacuous: discovery read both lists many times and the discovered leaves were pinged.
    expect(received.filter((r) => r.path === '/v1/peers').length).toBeGreaterThanOrEqual(6);
    expect(received.filter((r) => r.path === '/v1/ping' && r.server === 'leaves').length).toBeGreaterThan(3);
    const pushed = received.filter(
      (r) => r.method !== 'GET' || r.bodyBytes !== 0 || !['/v1/ping', '/v1/peers'].includes(r.path),
    );
    expect(pushed).toEqual([]);
  });
});
