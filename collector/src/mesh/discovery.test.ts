import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../http/endpoint.js';
import { fetchPeerList, importPeers, isPeerListImport, PeerListError } from './discovery.js';
import { HttpMesh } from './http-mesh.js';
import { ResultFanout } from './result-fanout.js';

let server: Server | undefined;
let mesh: HttpMesh | undefined;

async function serve(status: number, body: string): Promise<string> {
  server = createServer((_req, res) => {
    res.statusCode = status;
    res.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/peers?addpeers=true`;
}

afterEach(async () => {
  await mesh?.stop();
  mesh = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

// What a pingmesh (Go) instance answers: its own field set, durations in nanoseconds.
const pingmeshReply = JSON.stringify(
  {
    Start: '2019-07-29T09:48:28.123456789-07:00',
    SrvLoc: 'San Jose,US',
    SrvHost: 'pm.example',
    SrvPort: 443,
    SrvIPs: ['192.0.2.10'],
    Peers: [
      {
        Url: 'https://a.example/v1/ping',
        Host: 'a.example',
        Limit: 0,
        Delay: 10,
        Location: 'Paris,FR',
        PeerIP: '127.0.0.44',
        Pings: 12,
        Fails: 0,
        PingTotals: { DnsLk: 1000, TcpHs: 2000000 },
      },
      { Url: 'http://127.0.0.45:8080/v1/ping', Location: '' },
    ],
    NumActive: 2,
    NumDeleted: 0,
  },
  null,
  2,
);

describe('peer lists', () => {
  it('recognises an import URL by its /v1/peers path and addpeers=true', () => {
    expect(isPeerListImport('http://a:1/v1/peers?addpeers=true')).toBe(true);
    expect(isPeerListImport('http://a:1/v1/peers')).toBe(false);
    expect(isPeerListImport('http://a:1/v1/ping?addpeers=true')).toBe(false);
  });

  it("reads a pingmesh instance's /v1/peers reply", async () => {
    const url = await serve(200, pingmeshReply);
    expect(await fetchPeerList(url, 2000)).toEqual({
      srvLoc: 'San Jose,US',
      peers: [
        { url: 'https://a.example/v1/ping', peerIp: '127.0.0.44', location: 'Paris,FR' },
        { url: 'http://127.0.0.45:8080/v1/ping', peerIp: '', location: '' },
      ],
    });
  });

  it('accepts the null peer list Go writes for an instance with no peers', async () => {
    const url = await serve(200, '{"SrvLoc": "x", "Peers": null}');
    expect((await fetchPeerList(url, 2000)).peers).toEqual([]);
  });

  it.each([
    [200, '<html>not json</html>', /did not answer with JSON/],
    [200, '{"Peers": [{"Location": "no url"}]}', /is not a peer list: \/Peers\/0 must have required property 'Url'/],
    [404, 'nothing here', /answered HTTP 404/],
  ])('refuses a reply with status %i and body %j, saying why', async (status, body, message) => {
    const url = await serve(status, body);
    await expect(fetchPeerList(url, 2000)).rejects.toThrow(PeerListError);
    await expect(fetchPeerList(url, 2000)).rejects.toThrow(message);
  });

  it('asks the admission gate (caps, rate) only about peers it does not ping yet', async () => {
    const url = await serve(200, pingmeshReply);
    mesh = new HttpMesh({
      identity: { src: 't', srcLoc: 'T' },
      delaySeconds: 60,
      limit: 0,
      maxFail: 100,
      timeoutSeconds: 1,
      fanout: new ResultFanout([]),
      log: () => {},
    });
    await mesh.addPeer(parseEndpoint('https://alias.example/v1/ping', { ipOverride: '127.0.0.44' }), {
      origin: 'cli',
      depth: 0,
    });
    await mesh.addPeer(parseEndpoint('http://127.0.0.45:8080/v1/ping'), { origin: 'cli', depth: 0 });
    const asked: number[] = [];
    const report = await importPeers(mesh, url, {
      origin: 'auto',
      depth: 1,
      timeoutMs: 2000,
      admit: () => {
        asked.push(mesh!.registry.activeCount);
        return 'full';
      },
    });
    // Both listed peers are already pinged (one by its PeerIP): duplicates, not refusals.
    expect(report.duplicates).toEqual(['https://a.example/v1/ping', 'http://127.0.0.45:8080/v1/ping']);
    expect(report.refused).toEqual([{ url: `${new URL(url).origin}/v1/ping`, reason: 'full' }]);
    expect(asked).toEqual([2]);
  });

  it('imports the listed peers and the server itself, skipping one already pinged at the same PeerIP', async () => {
    const url = await serve(200, pingmeshReply);
    mesh = new HttpMesh({
      identity: { src: 't', srcLoc: 'T' },
      delaySeconds: 60,
      limit: 0,
      maxFail: 100,
      timeoutSeconds: 1,
      fanout: new ResultFanout([]),
      log: () => {},
    });
    // Already pinged under another name, at the address the list gives as PeerIP.
    await mesh.addPeer(parseEndpoint('https://alias.example/v1/ping', { ipOverride: '127.0.0.44' }), {
      origin: 'cli',
      depth: 0,
    });
    const report = await importPeers(mesh, url, { origin: 'import', depth: 1, timeoutMs: 2000 });
    expect(report.added).toEqual([`${new URL(url).origin}/v1/ping`, 'http://127.0.0.45:8080/v1/ping']);
    expect(report.duplicates).toEqual(['https://a.example/v1/ping']);
    expect(mesh.registry.list().map((p) => [p.endpoint.url, p.location, p.depth])).toEqual([
      ['https://alias.example/v1/ping', '', 0],
      [`${new URL(url).origin}/v1/ping`, 'San Jose,US', 1],
      ['http://127.0.0.45:8080/v1/ping', '', 1],
    ]);
  });
});
