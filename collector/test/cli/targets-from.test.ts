// --targets-from: a follower collector sweeps what a leader collector lists at /v1/targets, pulled
// (never pushed) with the leader's token, an unchanged list costing one 304, and stops at its fences:
// targets outside --targets-allow are left out, and the list is cut at --targets-max. Both
// collectors run in one fresh network namespace and probe only its loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkNamespace } from '@pingsphere/testbed';
import { curl, metric } from '../helpers/namespace-http.js';
import { ndjson, startCollectorIn, type RecordedProcess } from '../helpers/processes.js';

const token = 'leader-token-9876';
const leaderUrl = 'http://127.0.0.30:8080';
const followerUrl = 'http://127.0.0.31:8080';

interface Probe {
  target: string;
  ts: string;
}

describe('pingsphere collect --targets-from', () => {
  let ns: NetworkNamespace;
  let dir: string;
  let leader: RecordedProcess;
  let follower: RecordedProcess;
  const running: RecordedProcess[] = [];

  beforeAll(async () => {
    ns = await NetworkNamespace.create();
    dir = mkdtempSync(join(tmpdir(), 'pingsphere-targets-from-'));
  });

  afterAll(async () => {
    for (const c of running) await c.stop();
    await ns?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(name: string, args: string[], env: NodeJS.ProcessEnv): RecordedProcess {
    const c = startCollectorIn(
      ns,
      [
        '-H',
        name,
        '-s',
        '8080',
        '--listen',
        name,
        '--spool-dir',
        join(dir, `spool-${name}`),
        '--icmp-interval',
        '0.5',
        ...args,
      ],
      env,
    );
    running.push(c);
    return c;
  }

  const probed = (c: RecordedProcess) => ndjson<Probe>(c.stdout).filter((line) => 'target' in line);

  it("sweeps the leader's targets inside its fences, follows changes, and keeps the last list when the leader is gone", async () => {
    const file = join(dir, 'leader.txt');
    writeFileSync(
      file,
      [
        '127.0.0.1 name=alpha group=g1 loc=Tokyo,JP',
        '127.0.0.2 group=g2',
        '127.0.1.1 name=outside', // not in the follower's 127.0.0.0/24
        '127.0.0.8/30 group=range', // .9 and .10, inside
        '127.0.0.0/16', // a range wider than the fence: left out whole
        'localhost', // a hostname: checked once resolved (127.0.0.1, inside)
      ].join('\n') + '\n',
    );
    leader = start('127.0.0.30', ['--icmp-targets', file], { PINGSPHERE_TOKEN: token });
    await leader.waitFor(() => /serving http/.test(leader.stderr), 30_000, 'the leader to serve');
    follower = start(
      '127.0.0.31',
      [
        '--json',
        '--targets-from',
        `${leaderUrl}/v1/targets`,
        '--targets-allow',
        '127.0.0.0/24',
        '--targets-max',
        '6',
        '--targets-from-interval',
        '0.5',
      ],
      { PINGSPHERE_TARGETS_FROM_TOKEN: token },
    );
    await follower.waitFor(
      () => new Set(probed(follower).map((p) => p.target)).size >= 4,
      30_000,
      "the follower to sweep the leader's list",
    );
    expect(new Set(probed(follower).map((p) => p.target))).toEqual(
      new Set(['127.0.0.1', '127.0.0.2', '127.0.0.9', '127.0.0.10']),
    );
    expect(follower.stderr).toMatch(
      /targets-from: 4 targets from http:\/\/127\.0\.0\.30:8080\/v1\/targets, 2 outside --targets-allow left out/,
    );
    const listed = (await curl(ns, 'GET', `${followerUrl}/v1/targets`)).json<{ targets: Record<string, unknown>[] }>();
    expect(listed.targets.map((t) => t.target)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.8/30', 'localhost']);
    expect(listed.targets[0]).toMatchObject({ name: 'alpha', group: 'g1', loc: 'Tokyo,JP', lat: 35.69, lon: 139.69 });

    // Unchanged: each pull is answered 304.
    const first = await curl(ns, 'GET', `${followerUrl}/metrics`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const later = await curl(ns, 'GET', `${followerUrl}/metrics`);
    const unchanged =
      metric(later.body, 'pingsphere_targets_from_unchanged') - metric(first.body, 'pingsphere_targets_from_unchanged');
    const pulls =
      metric(later.body, 'pingsphere_targets_from_pulls') - metric(first.body, 'pingsphere_targets_from_pulls');
    expect(pulls).toBeGreaterThanOrEqual(2);
    expect(unchanged).toBe(pulls);
    expect(metric(later.body, 'pingsphere_targets_from_not_allowed')).toBe(2);

    // Two more on the leader: the first fits under --targets-max 6 (5 addresses so far), the second not.
    const added = await curl(ns, 'POST', `${leaderUrl}/v1/targets`, {
      body: '["127.0.0.3", "127.0.0.4"]',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(added.json()).toMatchObject({ added: 2 });
    await follower.waitFor(() => probed(follower).some((p) => p.target === '127.0.0.3'), 30_000, 'the new target');
    await follower.waitFor(
      () => probed(follower).filter((p) => p.target === '127.0.0.3').length >= 3,
      30_000,
      'more sweeps',
    );
    expect(probed(follower).some((p) => p.target === '127.0.0.4')).toBe(false);
    expect(follower.stderr).toMatch(/targets-from: 5 targets from .*, cut at --targets-max 6/);
    expect(metric((await curl(ns, 'GET', `${followerUrl}/metrics`)).body, 'pingsphere_targets_from_capped')).toBe(1);

    // Pull only: the leader's list is what it was given, nothing came back from the follower.
    const leaderList = (
      await curl(ns, 'GET', `${leaderUrl}/v1/targets`, { headers: { authorization: `Bearer ${token}` } })
    ).json<{
      total: number;
    }>();
    expect(leaderList.total).toBe(8);

    // The leader goes away: the follower says so and keeps sweeping the last list.
    expect(await leader.stop()).toBe(0);
    await follower.waitFor(
      () => /targets-from: pull failed \(.*\); keeping the last list/.test(follower.stderr),
      20_000,
      'a failed pull',
    );
    const count = probed(follower).filter((p) => p.target === '127.0.0.9').length;
    await follower.waitFor(
      () => probed(follower).filter((p) => p.target === '127.0.0.9').length >= count + 2,
      20_000,
      'sweeps of the last list',
    );
    expect(await follower.stop()).toBe(0);
  });

  it('says which token to set when the leader refuses the pull', async () => {
    const file = join(dir, 'guarded.txt');
    writeFileSync(file, '127.0.0.1\n');
    const guarded = start('127.0.0.32', ['--icmp-targets', file], { PINGSPHERE_TOKEN: token });
    await guarded.waitFor(() => /serving http/.test(guarded.stderr), 30_000, 'the guarded leader');
    const refused = start(
      '127.0.0.33',
      ['--targets-from', 'http://127.0.0.32:8080/v1/targets', '--targets-allow', '127.0.0.0/8'],
      { PINGSPHERE_TARGETS_FROM_TOKEN: 'wrong-token-0000' },
    );
    await refused.waitFor(() => /pull failed/.test(refused.stderr), 30_000, 'the refused pull');
    expect(refused.stderr).toMatch(/answered HTTP 401: it wants a token; set PINGSPHERE_TARGETS_FROM_TOKEN/);
    expect(refused.hasExited).toBe(false);
    expect(await refused.stop()).toBe(0);
    expect(await guarded.stop()).toBe(0);
  });
});
