// /v1/targets against a real collector: 100,000 targets added and deleted through one request each,
// the change swept at the next sweep, kept across a restart (the state file), bad bodies refused
// without losing anything, and the token required on every route. The collector runs inside a
// fresh network namespace; the 100,000 targets are loopback addresses (127.1.0.0/16 and up), which
// the namespace's lo answers, so the sweep stays inside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkNamespace } from '@pingsphere/testbed';
import { curl, metric } from '../helpers/namespace-http.js';
import { startCollectorIn, type RecordedProcess } from '../helpers/processes.js';

const token = 'inventory-token-5678';
const auth = { authorization: `Bearer ${token}` };
const base = 'http://127.0.0.20:8080';

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** 127.1.0.0 + i: 100,000 distinct loopback addresses. */
function address(i: number): string {
  const n = (127 << 24) + (1 << 16) + i;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

describe('/v1/targets on a running collector', () => {
  let ns: NetworkNamespace;
  let dir: string;
  let file: string;
  let collector: RecordedProcess | undefined;

  beforeAll(async () => {
    ns = await NetworkNamespace.create();
    dir = mkdtempSync(join(tmpdir(), 'pingsphere-targets-api-'));
    folders.push(dir);
    file = join(dir, 'targets.txt');
    writeFileSync(file, '127.0.0.1 name=from-file\n127.0.0.2\n');
  });

  afterAll(async () => {
    await collector?.stop();
    await ns?.dispose();
  });

  async function start(): Promise<RecordedProcess> {
    const c = startCollectorIn(
      ns,
      [
        '-s',
        '8080',
        '--listen',
        '127.0.0.20',
        '-H',
        '127.0.0.20',
        '--spool-dir',
        join(dir, 'spool'),
        '--icmp-targets',
        file,
        '--icmp-interval',
        '1',
        '--icmp-rate',
        '200000',
      ],
      { PINGSPHERE_TOKEN: token },
    );
    await c.waitFor(() => /serving http/.test(c.stderr), 30_000, 'the API to listen');
    return c;
  }

  async function metrics(): Promise<string> {
    return (await curl(ns, 'GET', `${base}/metrics`)).body;
  }

  async function sweptTargets(atLeastSweeps: number, expected: number, c: RecordedProcess): Promise<void> {
    const sweeps = metric(await metrics(), 'pingsphere_icmp_sweeps');
    await c.waitFor(
      async () => {
        const text = await metrics();
        return (
          metric(text, 'pingsphere_icmp_sweeps') >= sweeps + atLeastSweeps &&
          metric(text, 'pingsphere_icmp_targets') === expected
        );
      },
      60_000,
      `a sweep of ${expected} targets`,
    );
  }

  it('adds 100,000 targets in one NDJSON request, sweeps them, and keeps them across a restart', async () => {
    collector = await start();
    const body = Array.from({ length: 100_000 }, (_, i) =>
      JSON.stringify({ target: address(i), name: `t${i}`, group: `g${i % 200}` }),
    ).join('\n');
    const added = await curl(ns, 'POST', `${base}/v1/targets`, {
      body,
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
    });
    expect(added.status).toBe(200);
    expect(added.json()).toMatchObject({ added: 100_000, updated: 0, rejected: 0 });
    await sweptTargets(1, 100_002, collector);
    const swept = await metrics();
    // A whole sweep of the new list: every address once, answered by the namespace's lo.
    expect(collector.stderr).toMatch(/ICMP: sweep \d+: 100002 probes, (\d+) replies/);
    const [, replies] = /ICMP: sweep \d+: 100002 probes, (\d+) replies/.exec(collector.stderr)!;
    expect(Number(replies)).toBeGreaterThan(99_000);
    expect(metric(swept, 'pingsphere_targets_api_entries')).toBe(100_000);

    expect(await collector.stop()).toBe(0);
    collector = await start();
    expect(collector.stderr).toMatch(
      /100000 added and 0 removed through \/v1\/targets restored from .*\.targets\.ndjson/,
    );
    const listed = await curl(ns, 'GET', `${base}/v1/targets`, {
      headers: { ...auth, accept: 'application/x-ndjson' },
    });
    const lines = listed.body.trim().split('\n');
    expect(lines).toHaveLength(100_002);
    expect(JSON.parse(lines[0]!)).toMatchObject({ target: '127.0.0.1', name: 'from-file' });
    expect(JSON.parse(lines[100_001]!)).toEqual({
      target: address(99_999),
      name: 't99999',
      group: 'g199',
      loc: '',
      lat: null,
      lon: null,
      labels: {},
    });
    await sweptTargets(1, 100_002, collector);
  });

  it('deletes them in one request, and the next sweep and a restart agree', async () => {
    collector ??= await start();
    const keys = JSON.stringify([...Array.from({ length: 100_000 }, (_, i) => address(i)), '127.0.0.2']);
    const deleted = await curl(ns, 'DELETE', `${base}/v1/targets`, {
      body: keys,
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(deleted.json()).toMatchObject({ deleted: 100_001, missing_count: 0 });
    await sweptTargets(1, 1, collector);
    expect(await collector.stop()).toBe(0);
    collector = await start();
    expect(collector.stderr).toMatch(/0 added and 1 removed through \/v1\/targets restored/);
    const list = (await curl(ns, 'GET', `${base}/v1/targets`, { headers: auth })).json<{
      targets: { target: string }[];
    }>();
    expect(list.targets.map((t) => t.target)).toEqual(['127.0.0.1']);
  });

  it('refuses bad bodies with a clear error and loses nothing it had', async () => {
    collector ??= await start();
    const before = (await curl(ns, 'GET', `${base}/v1/targets`, { headers: auth })).json<{ version: string }>();
    const cut = await curl(ns, 'POST', `${base}/v1/targets`, {
      body: '[{"target":"127.0.0.5"},{"target":"127.0.0.6"',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(cut.status).toBe(400);
    expect(cut.json().error).toMatch(/the JSON array is not closed .*nothing was applied; send it again whole/);
    const mixed = await curl(ns, 'POST', `${base}/v1/targets`, {
      body: '{"target":"127.0.0.7","group":"ok"}\n{"target":"127.0.0.7/33"}\n',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
    });
    expect(mixed.status).toBe(200);
    expect(mixed.json()).toMatchObject({ added: 1, rejected: 1 });
    expect(mixed.json<{ problems: string[] }>().problems[0]).toMatch(/body line 2: .*an IPv4 prefix is at most 32/);
    const after = (await curl(ns, 'GET', `${base}/v1/targets`, { headers: auth })).json<{
      version: string;
      targets: { target: string }[];
    }>();
    expect(after.version).not.toBe(before.version);
    expect(after.targets.map((t) => t.target)).toEqual(['127.0.0.1', '127.0.0.7']);
    expect(collector.hasExited).toBe(false);
  });

  it('requires the token on every /v1/targets route: none, a wrong one, one in the query string are refused', async () => {
    collector ??= await start();
    const attempts: Array<[string, string, string | undefined]> = [
      ['GET', `${base}/v1/targets`, undefined],
      ['POST', `${base}/v1/targets`, '["127.0.0.9"]'],
      ['DELETE', `${base}/v1/targets`, '["127.0.0.1"]'],
      ['DELETE', `${base}/v1/targets/127.0.0.1`, undefined],
    ];
    for (const [method, url, body] of attempts) {
      for (const [headers, target] of [
        [{}, url],
        [{ authorization: 'Bearer not-the-token' }, url],
        [{}, `${url}?token=${token}`],
      ] as const) {
        const reply = await curl(ns, method, target, {
          ...(body !== undefined ? { body } : {}),
          headers: { ...headers, 'content-type': 'application/json' },
        });
        expect(reply.status, `${method} ${target} ${JSON.stringify(headers)}`).toBe(401);
        expect(reply.headers['www-authenticate']).toBe('Bearer realm="pingsphere"');
      }
    }
    const list = (await curl(ns, 'GET', `${base}/v1/targets`, { headers: auth })).json<{
      targets: { target: string }[];
    }>();
    expect(list.targets.map((t) => t.target)).toEqual(['127.0.0.1', '127.0.0.7']);
  });
});
