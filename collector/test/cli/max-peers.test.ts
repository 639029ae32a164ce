// --max-peers: a hand-approved /v1/addpeer import of a long peer list stops at the cap, and so
// does a single addition once the cap is reached. Real collectors on loopback (HTTP only).
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@pingsphere/testbed';
import { startCollector, type RecordedProcess } from '../helpers/processes.js';

interface PeersDocument {
  Peers: Array<{ Url: string; Origin: string }>;
}

describe('--max-peers', () => {
  const collectors: RecordedProcess[] = [];
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
  });

  it('caps what an imported peer list adds, and refuses single additions beyond it, with the reason', async () => {
    const port = await freeLoopbackPort();
    const url = (address: string) => `http://${address}:${port}/v1/ping`;
    // B lists eight peers (nothing needs to answer them for the list to exist).
    const listed = Array.from({ length: 8 }, (_, i) => url(`127.0.0.${10 + i}`));
    const b = startCollector(['-s', String(port), '-d', '0.5', '-q', '--listen', '127.0.0.2', ...listed]);
    const capped = startCollector(['-s', String(port), '-d', '0.5', '-q', '--listen', '127.0.0.1', '--max-peers', '3']);
    const open = startCollector(['-s', String(port), '-d', '0.5', '-q', '--listen', '127.0.0.3']);
    collectors.push(b, capped, open);
    for (const c of collectors) await c.waitFor(() => /serving http/.test(c.stderr), 20_000, 'the API');
    const importList = (address: string) =>
      fetch(`http://${address}:${port}/v1/addpeer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.2:${port}/v1/peers?addpeers=true` }),
      }).then((r) => r.json() as Promise<{ added: string[]; refused: Array<{ url: string; reason: string }> }>);

    const report = await importList('127.0.0.1');
    expect(report.added).toHaveLength(3);
    expect(report.refused).toHaveLength(6);
    for (const refusal of report.refused)
      expect(refusal.reason).toBe('the collector already has 3 peers (--max-peers)');
    const peers = (await (await fetch(`http://127.0.0.1:${port}/v1/peers`)).json()) as PeersDocument;
    expect(peers.Peers.map((p) => p.Origin)).toEqual(['import', 'import', 'import']);

    const single = await fetch(`http://127.0.0.1:${port}/v1/addpeer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: url('127.0.0.50') }),
    });
    expect(single.status).toBe(503);
    expect(((await single.json()) as { error: string }).error).toBe(
      'not added: the collector already has 3 peers (--max-peers)',
    );

    // The default cap (1,000) leaves a list of nine alone.
    expect((await importList('127.0.0.3')).added).toHaveLength(9);
  });
});
