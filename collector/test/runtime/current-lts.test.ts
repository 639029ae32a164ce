// The brief: code must run on Node 20 (the machine's, which runs the rest of the suite) and on
// the current LTS. Here the CLI's main paths run on the current LTS binary: the native addon
// (N-API, built once with Node 20's headers), fastify/undici, and the QuestDB sink.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentLtsNode, currentLtsVersion, LocalQuestDb, NetworkNamespace, repoRoot } from '@pingsphere/testbed';
import { ndjson, RecordedProcess, runThenStop } from '../helpers/processes.js';

const cli = join(repoRoot, 'collector/bin/pingsphere.mjs');

describe(`pingsphere on Node ${currentLtsVersion} (current LTS)`, () => {
  let ns: NetworkNamespace;
  let questdb: LocalQuestDb;
  let spoolDir: string;

  beforeAll(async () => {
    ns = await NetworkNamespace.create();
    questdb = await LocalQuestDb.launch();
    spoolDir = mkdtempSync(join(tmpdir(), 'lts-spool-'));
  });

  afterAll(async () => {
    await ns?.dispose();
    await questdb?.dispose();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true }); // unset when the set-up failed
  });

  it('is that version', () => {
    expect(execFileSync(currentLtsNode(), ['--version']).toString().trim()).toBe(`v${currentLtsVersion}`);
  });

  it('sweeps IPv4 and IPv6 loopback targets with the native addon', async () => {
    const run = await ns.exec(currentLtsNode(), [cli, 'icmp', '--json', '-c', '2', '127.0.0.0/29', '::1']);
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = ndjson<{ target: string; rtt_ms: number | null }>(run.stdout);
    expect(lines).toHaveLength(14);
    expect(lines.every((l) => l.rtt_ms !== null && l.rtt_ms > 0)).toBe(true);
  });

  it('runs a collector that serves the API, pings a peer and stores the results in QuestDB', async () => {
    const forward = await ns.forwardHostPort(questdb.ports.http);
    const collector = new RecordedProcess('ip', [
      'netns',
      'exec',
      ns.name,
      currentLtsNode(),
      cli,
      'collect',
      '-H',
      '127.0.0.1',
      '-L',
      'Lisbon,PT',
      '-s',
      '8080',
      '-d',
      '0.2',
      '--json',
      '--questdb',
      questdb.clientConf,
      '--spool-dir',
      spoolDir,
      'http://127.0.0.1:8080/v1/ping',
    ]);
    try {
      await runThenStop([collector], async () => {
        await collector.waitFor(() => ndjson(collector.stdout).length >= 5, 20_000, 'five pings');
        const peers = await ns.exec('curl', ['-s', 'http://127.0.0.1:8080/v1/peers']);
        expect(JSON.parse(peers.stdout)).toMatchObject({ SrvLoc: 'Lisbon,PT' });
      });
    } finally {
      await forward.close();
    }
    const pings = ndjson(collector.stdout).length;
    const stored = await questdb.waitForCount("select count() from http where src = '127.0.0.1'", pings);
    expect(stored).toBe(pings);
  });
});
