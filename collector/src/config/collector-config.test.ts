import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/usage-error.js';
import { collectFlags, resolveCollectorConfig } from './collector-config.js';
import { parseGoFlags } from './go-flags.js';

const resolve = (args: string[], env: Record<string, string> = {}) => resolveCollectorConfig(args, env);

describe('Go-style flags', () => {
  it.each([[['-d', '5']], [['-d=5']], [['--d', '5']], [['--d=5']]])('reads %j as a delay of 5 seconds', (args) => {
    expect(resolve(args).config.delaySeconds).toBe(5);
  });

  it('takes long flags with one dash too, as Go users write them', () => {
    expect(resolve(['-listen', '127.0.0.2']).config.listenAddress).toBe('127.0.0.2');
  });

  it('treats a boolean flag alone as true and accepts Go boolean spellings after =', () => {
    expect(resolve(['-v']).config.verbosity).toBe(2);
    expect(resolve(['-v=false']).config.verbosity).toBe(1);
    expect(resolve(['-V']).config.verbosity).toBe(3);
    expect(resolve(['-v', '-q']).config.verbosity).toBe(0);
  });

  it('keeps endpoints in order and accepts flags after them; -- ends the flags', () => {
    const { positionals } = parseGoFlags(['a', '-d', '1', 'b', '--', '-c'], collectFlags);
    expect(positionals).toEqual(['a', 'b', '-c']);
  });

  it('names an unknown flag and where to find the real ones', () => {
    expect(() => resolve(['-x'])).toThrow(/flag provided but not defined: -x .*--help/);
  });

  it('says which flag is missing its value', () => {
    expect(() => resolve(['-d'])).toThrow(/flag needs an argument: -d SECONDS/);
  });
});

describe('flag values', () => {
  it('has pingmesh defaults: -d 10, -n 0, -f 100, no server, loopback listen', () => {
    const { config } = resolve(['http://a/']);
    expect(config).toMatchObject({
      delaySeconds: 10,
      limit: 0,
      maxFail: 100,
      serverPort: 0,
      listenAddress: '127.0.0.1',
    });
    expect(config.endpoints).toEqual(['http://a/']);
  });

  it.each([
    [['-d', 'abc'], /invalid value "abc" for flag -d/],
    [['-d', '0'], /flag -d/],
    [['-n', '1.5'], /flag -n: use a whole number/],
    [['-f', '0'], /flag -f/],
    [['-s', '70000'], /flag -s: use a TCP port/],
    [['-I', 'not-an-ip'], /-I: give an IPv4 or IPv6 address/],
    [['--listen', 'example.com'], /--listen: give an IP address/],
    [
      ['--questdb', 'localhost:9000'],
      /--questdb: QuestDB configuration "localhost:9000" has no "protocol::" prefix; write it like 'http::addr=127.0.0.1:9000;'/,
    ],
    [['--icmp-targets', '/nonexistent/targets.txt'], /cannot be read/],
    [['--icmp-flows', '0'], /flag -icmp-flows: use a whole number of flows from 1 to 64/],
    [['--icmp-timestamps', 'hardware'], /--icmp-timestamps "hardware" is not a time-stamp mode here/],
    [['--auto-mesh'], /needs --mesh-allow/],
    [['--auto-mesh', '--mesh-allow', '10.0.0.0/33'], /invalid network "10.0.0.0\/33"/],
    [['--mesh-allow', '10.0.0.0/8'], /only applies with --auto-mesh/],
  ])('rejects %j with a message naming the problem', (args, message) => {
    expect(() => resolve(args)).toThrow(UsageError);
    expect(() => resolve(args)).toThrow(message);
  });

  it('keeps the request timeout apart from the delay (overlapping slots are skipped instead)', () => {
    expect(resolve(['-d', '2']).config.timeoutSeconds).toBe(10);
    expect(resolve(['-d', '30', '--timeout', '5']).config.timeoutSeconds).toBe(5);
    expect(() => resolve(['--timeout', '0'])).toThrow(/--timeout|flag -timeout/);
  });

  it('reports -r as SrvPort, defaulting to -s', () => {
    expect(resolve(['-s', '8080']).config.reportPort).toBe(8080);
    expect(resolve(['-s', '8080', '-r', '443']).config.reportPort).toBe(443);
  });

  it('accepts the QuestDB and ICMP settings now, for the sinks and sweeps still to come', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingsphere-config-'));
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, '127.0.0.1\n');
    const { config } = resolve(['--questdb', 'http::addr=127.0.0.1:9000;', '--icmp-targets', targets, '-d', '3']);
    expect(config.questdb).toBe('http::addr=127.0.0.1:9000;');
    expect(config.icmpTargetsFile).toBe(targets);
    expect(config.icmpIntervalSeconds).toBe(3);
  });

  it('sweeps one ICMP flow with automatic time stamps unless told otherwise', () => {
    expect(resolve([]).config).toMatchObject({ icmpFlows: 1, icmpTimestamps: 'auto' });
    expect(resolve(['--icmp-flows', '8', '--icmp-timestamps', 'user']).config).toMatchObject({
      icmpFlows: 8,
      icmpTimestamps: 'user',
    });
  });

  it('builds the auto-mesh limits with their defaults', () => {
    const { config } = resolve(['--auto-mesh', '--mesh-allow', '127.0.0.0/8, fd00::/8', '--mesh-max-depth', '1']);
    expect(config.autoMesh).toEqual({
      allowCidrs: ['127.0.0.0/8', 'fd00::/8'],
      maxPeers: 50,
      maxDepth: 1,
      addsPerMinute: 10,
      intervalSeconds: 60,
    });
  });
});

describe('environment variables, as pingmesh reads them', () => {
  it('lets PINGMESH_DELAY, _LIMIT and _MAXFAIL override the flags, with a note for each', () => {
    const { config, notes } = resolve(['-d', '5', '-n', '3', '-f', '7'], {
      PINGMESH_DELAY: '2',
      PINGMESH_LIMIT: '4',
      PINGMESH_MAXFAIL: '9',
    });
    expect(config).toMatchObject({ delaySeconds: 2, limit: 4, maxFail: 9 });
    expect(notes).toEqual([
      'Note: PINGMESH_DELAY from environment, 2 overrides -d 5',
      'Note: PINGMESH_LIMIT from environment, 4 overrides -n 3',
      'Note: PINGMESH_MAXFAIL from environment, 9 overrides -f 7',
    ]);
  });

  it('uses an environment value without a note when the flag was not given', () => {
    const { config, notes } = resolve([], { PINGMESH_DELAY: '3' });
    expect(config.delaySeconds).toBe(3);
    expect(notes).toEqual([]);
  });

  it('warns about an invalid value and falls back to the flag', () => {
    const { config, warnings } = resolve(['-d', '5'], { PINGMESH_DELAY: 'soon', PINGMESH_LIMIT: '0' });
    expect(config.delaySeconds).toBe(5);
    expect(config.limit).toBe(0);
    expect(warnings).toEqual([
      'Warning: PINGMESH_DELAY from environment is "soon" -- value must be a number > 0. Using -d 5 instead',
      'Warning: PINGMESH_LIMIT from environment is "0" -- value must be int > 0. Using -n 0 instead',
    ]);
  });

  it('adds PINGMESH_URL as one more endpoint after those on the command line', () => {
    expect(resolve(['http://a/'], { PINGMESH_URL: 'http://b/' }).config.endpoints).toEqual(['http://a/', 'http://b/']);
  });

  it('takes the location from -L, else REP_LOCATION, else REP_CITY,REP_COUNTRY', () => {
    expect(resolve(['-L', 'Paris,FR'], { REP_LOCATION: 'Oslo,NO' }).config.location).toBe('Paris,FR');
    expect(resolve([], { REP_LOCATION: 'Oslo,NO' }).config.location).toBe('Oslo,NO');
    expect(resolve([], { REP_CITY: 'Lima', REP_COUNTRY: 'PE' }).config.location).toBe('Lima,PE');
  });

  it('takes the hostname from -H, else PINGMESH_HOSTNAME', () => {
    expect(resolve(['-H', 'a.example'], { PINGMESH_HOSTNAME: 'b.example' }).config.hostname).toBe('a.example');
    expect(resolve([], { PINGMESH_HOSTNAME: 'b.example' }).config.hostname).toBe('b.example');
  });

  it("turns -c off with pingmesh's warning when the AWS environment is incomplete", () => {
    const off = resolve(['-c'], { AWS_REGION: 'eu-west-1' });
    expect(off.config.cloudWatch).toBe(false);
    expect(off.warnings).toContain(
      'Warning: CloudWatch requires in environment: AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY',
    );
    const on = resolve(['-c'], { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
    expect(on.config.cloudWatch).toBe(true);
  });

  it('prefers PINGSPHERE_QUESTDB over --questdb, with a note, and validates it', () => {
    const { config, notes } = resolve(['--questdb', 'http::addr=a:9000;'], {
      PINGSPHERE_QUESTDB: 'http::addr=b:9000;',
    });
    expect(config.questdb).toBe('http::addr=b:9000;');
    expect(notes).toContain('Note: PINGSPHERE_QUESTDB from environment overrides --questdb');
    expect(() => resolve([], { PINGSPHERE_QUESTDB: 'nonsense' })).toThrow(
      /PINGSPHERE_QUESTDB: QuestDB configuration "nonsense"/,
    );
  });

  it('refuses a token too short to protect anything', () => {
    expect(() => resolve([], { PINGSPHERE_TOKEN: 'abc' })).toThrow(/PINGSPHERE_TOKEN is too short/);
    expect(resolve([], { PINGSPHERE_TOKEN: 'long-enough-secret' }).config.token).toBe('long-enough-secret');
  });
});
