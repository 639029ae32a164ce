import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@pingsphere/testbed';
import { hangGuardMs, startCollector, type RecordedProcess } from '../helpers/processes.js';

interface PeersDocument {
  SrvLoc: string;
  NumActive: number;
  Peers: Array<{ Url: string; Location: string; Pings: number; Fails: number; LossPct: number }>;
}

const token = 'mesh-test-token-42';
const auth = { authorization: `Bearer ${token}` };
const sites = [
  { address: '127.0.0.1', location: 'Frankfurt,DE' },
  { address: '127.0.0.2', location: 'Virginia,US' },
  { address: '127.0.0.3', location: 'Singapore,SG' },
];

describe('three collectors on 127.0.0.1, .2 and .3', () => {
  const collectors: RecordedProcess[] = [];
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
  });

  it('form a full mesh through addpeers discovery, and each reports every other as a peer with samples', async () => {
    const port = await freeLoopbackPort();
    const base = (i: number) => `http://${sites[i]!.address}:${port}`;
    // All three only serve at first (pingmesh's "just serving" mode).
    sites.forEach((site) => {
      collectors.push(
        startCollector(['-s', String(port), '-L', site.location, '--listen', site.address, '-d', '0.2', '-q'], {
          PINGSPHERE_TOKEN: token,
        }),
      );
    });
    await Promise.all(
      collectors.map((c, i) => c.waitFor(async () => (await fetch(`${base(i)}/v1/ping`)).ok, hangGuardMs, 'the API')),
    );
    // Once all are up: A pings B and B pings C, added by hand; discovery has to do the rest.
    for (const [from, to] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const reply = await fetch(`${base(from)}/v1/addpeer`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${base(to)}/v1/ping` }),
      });
      expect(reply.status).toBe(201);
    }

    const importInto = async (into: number, from: number) => {
      const reply = await fetch(`${base(into)}/v1/addpeer`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${base(from)}/v1/peers?addpeers=true` }),
      });
      expect(reply.status).toBe(200);
      return (await reply.json()) as { added: string[]; refused: Array<{ reason: string }> };
    };
    expect((await importInto(0, 1)).added).toEqual([`${base(2)}/v1/ping`]); // A learns C from B
    const cFromA = await importInto(2, 0); // C learns A (the list's server) and B; itself is refused
    expect(cFromA.added.sort()).toEqual([`${base(0)}/v1/ping`, `${base(1)}/v1/ping`]);
    expect(cFromA.refused.map((r) => r.reason)).toEqual(['it is this collector']);
    expect((await importInto(1, 2)).added).toEqual([`${base(0)}/v1/ping`]); // B learns A from C

    const peersOf = async (i: number) => (await (await fetch(`${base(i)}/v1/peers`)).json()) as PeersDocument;
    await collectors[0]!.waitFor(
      async () => {
        const documents = await Promise.all([0, 1, 2].map(peersOf));
        return documents.every((d) => d.Peers.length === 2 && d.Peers.every((p) => p.Pings >= 3));
      },
      hangGuardMs,
      'every collector to have pinged both others',
    );
    for (let i = 0; i < 3; i++) {
      const document = await peersOf(i);
      expect(document.SrvLoc).toBe(sites[i]!.location);
      expect(document.NumActive).toBe(2);
      const others = [0, 1, 2].filter((j) => j !== i);
      expect(document.Peers.map((p) => p.Url).sort()).toEqual(others.map((j) => `${base(j)}/v1/ping`));
      // Locations were never given: each was learned from the peer's /v1/ping reply.
      expect(document.Peers.map((p) => p.Location).sort()).toEqual(others.map((j) => sites[j]!.location).sort());
      for (const peer of document.Peers) {
        expect(peer.Fails).toBe(0);
        expect(peer.LossPct).toBe(0);
      }
    }
    const metrics = await (await fetch(`${base(0)}/metrics`)).text();
    expect(metrics).toContain(`pingsphere_http_request_seconds_count{peer="${base(1)}/v1/ping"}`);
  });

  it('refuses an unauthenticated /v1/quit when a token is set, and quits cleanly with it', async () => {
    const port = Number(/:(\d+)\/v1\/ping/.exec(collectors[0]!.stderr)![1]);
    const quitUrl = `http://127.0.0.1:${port}/v1/quit`;
    const refused = await fetch(quitUrl);
    expect(refused.status).toBe(401);
    expect((await refused.json()) as { error: string }).toMatchObject({ error: expect.stringContaining('Bearer') });
    await new Promise((r) => setTimeout(r, 300));
    expect(collectors[0]!.hasExited).toBe(false);

    const accepted = await fetch(quitUrl, { headers: auth });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('quitResponse');
    expect(await collectors[0]!.exited).toBe(0);
    // Pingers stopped, then the per-endpoint averages were printed on the way out.
    expect(collectors[0]!.stdout).toMatch(/Recorded \d+ samples in \d+s, average values:/);
    await expect(fetch(`http://127.0.0.1:${port}/v1/ping`)).rejects.toThrow();
  });

  it('stops cleanly on SIGTERM and SIGINT, printing its averages', async () => {
    collectors[1]!.signal('SIGTERM');
    collectors[2]!.signal('SIGINT');
    expect(await collectors[1]!.exited).toBe(0);
    expect(await collectors[2]!.exited).toBe(0);
    expect(collectors[1]!.stderr).toContain('received SIGTERM signal, terminating');
    expect(collectors[2]!.stderr).toContain('received SIGINT signal, terminating');
    expect(collectors[2]!.stdout).toMatch(/Recorded \d+ samples/);
  });
});
