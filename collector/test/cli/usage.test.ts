import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNetworkNamespace } from '@pingsphere/testbed';
import { runCollector, startCollectorIn, startPacedServer, type PacedServer } from '../helpers/processes.js';

/** A user error: one line on stderr naming the problem, exit code 2, no stack trace. */
function expectUserError(run: { code: number | null; stderr: string }, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('pingsphere collect on bad input', () => {
  let target: PacedServer;
  beforeAll(async () => {
    target = await startPacedServer({ hosts: ['127.0.0.8'] });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('prints its usage with --help and exits 0', async () => {
    const run = await runCollector(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: pingsphere collect [flags] endpoints...');
    for (const flag of [
      '-d SECONDS',
      '-n N',
      '-f N',
      '-s PORT',
      '-r PORT',
      '-c',
      '-H NAME',
      '-I IP',
      '-L LOC',
      '-v',
      '-V',
      '-q',
    ]) {
      expect(run.stdout).toContain(`  ${flag} `);
    }
  });

  it('prints its usage when given neither endpoints nor a server, and exits non-zero', async () => {
    const run = await runCollector([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pingsphere: nothing to do: give endpoints to ping and\/or -s PORT to serve\n/);
    expect(run.stderr).toContain('Usage: pingsphere collect [flags] endpoints...');
    expect(run.stdout).toBe('');
  });

  it.each([
    [['-d', 'abc', 'http://127.0.0.8/'], /pingsphere: invalid value "abc" for flag -d: use a number of seconds > 0/],
    [['-z'], /pingsphere: flag provided but not defined: -z/],
    [['-s', '99999'], /flag -s: use a TCP port from 1 to 65535/],
    [['ftp://127.0.0.8/'], /pingsphere: endpoint "ftp:\/\/127.0.0.8\/": unsupported scheme "ftp:"/],
    [['http://127.0.0.8:99999/'], /could not parse url/],
    [['--listen', 'anywhere', '-s', '8080'], /--listen: give an IP address/],
  ])('rejects %j with a one-line error', async (args, message) => {
    expectUserError(await runCollector(args), message);
  });

  it('says clearly when the API port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.8', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      expectUserError(
        await runCollector(['-s', String(port), '--listen', '127.0.0.8']),
        /cannot serve on 127.0.0.8:\d+ \(EADDRINUSE\): pick a free -s port/,
      );
    } finally {
      blocker.close();
    }
  });

  it('warns about an invalid environment value and falls back to the flag, as pingmesh does', async () => {
    const run = await runCollector(['--json', '-n', '1', '-d', '0.1', `http://127.0.0.8:${target.port}/`], {
      PINGMESH_DELAY: 'often',
      PINGMESH_MAXFAIL: '-3',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'Warning: PINGMESH_DELAY from environment is "often" -- value must be a number > 0. Using -d 0.1 instead',
    );
    expect(run.stderr).toContain(
      'Warning: PINGMESH_MAXFAIL from environment is "-3" -- value must be int > 0. Using -f 100 instead',
    );
  });

  it('lets the environment override a flag with a note, and adds PINGMESH_URL as an endpoint', async () => {
    const url = `http://127.0.0.8:${target.port}/from-env`;
    const run = await runCollector(['--json', '-n', '5', '-d', '0.1'], { PINGMESH_LIMIT: '1', PINGMESH_URL: url });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Note: PINGMESH_LIMIT from environment, 1 overrides -n 5');
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { dst: string }).dst),
    ).toEqual([url]);
  });

  it('rejects a QuestDB configuration it cannot write through, naming the fix', async () => {
    const run = await runCollector(['--questdb', 'tcp::addr=127.0.0.1:9009;', `http://127.0.0.8:${target.port}/`]);
    expectUserError(run, /--questdb: QuestDB protocol "tcp" is not supported.*http::addr=127\.0\.0\.1:9000;/);
  });

  it('names a malformed line of the ICMP targets file with the fix, skips it and runs on the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingsphere-usage-'));
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, '127.0.0.1\n127.0.0.300\n');
    // It sweeps the good line: inside a fresh namespace, so the probe reaches only its loopback.
    await withNetworkNamespace(async (ns) => {
      const collector = startCollectorIn(ns, ['--icmp-targets', targets, '--icmp-interval', '0.2']);
      await collector.waitFor(() => /ICMP: sweep 1: 1 probes, 1 replies/.test(collector.stderr), 20_000, 'a sweep');
      expect(collector.stderr).toMatch(
        /targets\.txt line 2: "127\.0\.0\.300" is not a valid IPv4 address \(expected four numbers 0-255, like 192\.0\.2\.1\); the line is skipped/,
      );
      expect(collector.stderr).toMatch(/targets\.txt: 1 targets, 1 bad lines skipped/);
      expect(collector.stderr).not.toMatch(/\n\s+at /);
      expect(await collector.stop()).toBe(0);
    });
  });

  it("turns -c off with pingmesh's warning when AWS credentials are missing", async () => {
    const run = await runCollector(['-n', '1', '-d', '0.1', '-c', `http://127.0.0.8:${target.port}/`], {
      AWS_REGION: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'Warning: CloudWatch requires in environment: AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY',
    );
  });
});
