// The `pingsphere` bin runs the compiled collector/dist: built from the sources as they are now
// (so what runs is what is checked in), without TypeScript at run time, and loading only what the
// chosen subcommand needs.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPort, repoRoot, withNetworkNamespace } from '@pingsphere/testbed';
import { afterAll, describe, expect, it } from 'vitest';
import { binFreshness, buildOptions, distDir } from '../../scripts/build-bin.mjs';

/** The installed command: the shell launcher in front of bin/pingsphere.cjs. */
const bin = join(repoRoot, 'collector/bin/pingsphere');
const recorder = join(repoRoot, 'collector/test/fixtures/record-imports.mjs');
const work = mkdtempSync(join(tmpdir(), 'pingsphere-bin-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Packages that only `collect` (and only some of its options) may load; tsx/esbuild never. */
const heavyPackages = [
  'fastify',
  '@fastify/',
  'undici',
  'prom-client',
  '@aws-sdk/',
  '@questdb/',
  'ajv',
  'tsx',
  'esbuild',
];

/** The npm packages among the recorded module URLs ("fastify", "@aws-sdk/client-cloudwatch", …). */
function packagesIn(urls: string[]): Set<string> {
  const names = new Set<string>();
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) names.add(match[1]!);
  }
  return names;
}

function heavyAmong(packages: Set<string>): string[] {
  return [...packages].filter((name) => heavyPackages.some((heavy) => name === heavy || name.startsWith(heavy)));
}

/**
 * Files of Ajv other than its small run-time helpers (which the precompiled validators use): Ajv
 * itself, the schema compiler, must not load at run time.
 */
function ajvBeyondItsRuntime(urls: string[]): string[] {
  return urls.filter(
    (url) => url.includes('/node_modules/ajv/') && !/\/ajv\/(dist\/runtime\/|package\.json$)/.test(url),
  );
}

let runs = 0;
/**
 * Runs the bin with every resolved module recorded (the launcher execs node, so the recorder comes
 * in through NODE_OPTIONS); `prefix` runs it inside a namespace.
 */
async function recordedRun(args: string[], prefix: string[] = []) {
  const record = join(work, `imports-${runs++}.txt`);
  const command = [...prefix, bin, ...args];
  const result = await promisify(execFile)(command[0]!, command.slice(1), {
    env: { ...process.env, RECORD_IMPORTS: record, NODE_OPTIONS: `--import ${recorder}` },
    timeout: 30_000,
  }).catch((error: { code?: number; stdout: string; stderr: string }) => ({ ...error, failed: true }));
  const lines = readFileSync(record, 'utf8').trim().split('\n');
  const urls = lines.filter((line) => !line.startsWith('builtin:'));
  const builtins = lines.filter((line) => line.startsWith('builtin:')).map((line) => line.slice('builtin:'.length));
  return { ...result, urls, builtins, packages: packagesIn(urls) };
}

/** Node's TLS and crypto modules: costly to load, and nothing a sweep needs. */
const tlsBuiltins = ['tls', '_tls_wrap', 'https', 'crypto'];

describe('the pingsphere bin', () => {
  it('runs collector/dist as built from the current sources (run `npm run build --workspace collector` if not)', async () => {
    const { fresh, reason } = binFreshness();
    expect(reason).toBe('');
    expect(fresh).toBe(true);
    // And byte for byte what a build of these sources gives now.
    const esbuild = await import('esbuild');
    for (const options of buildOptions(esbuild)) {
      const rebuilt = await esbuild.build({ ...options, write: false });
      expect(rebuilt.outputFiles.length).toBeGreaterThan(0);
      for (const file of rebuilt.outputFiles) {
        expect(readFileSync(file.path, 'utf8'), file.path.slice(distDir.length + 1)).toBe(file.text);
      }
    }
  });

  it('answers --version from the compiled CommonJS entry alone: no npm package, no TypeScript, no TLS', async () => {
    const result = await recordedRun(['--version']);
    const version = (JSON.parse(readFileSync(join(repoRoot, 'collector/package.json'), 'utf8')) as { version: string })
      .version;
    expect(result.stdout).toBe(`pingsphere ${version}\n`);
    expect(result.packages).toEqual(new Set());
    const files = new Set(
      result.urls.filter((url) => url.startsWith('file:')).map((url) => url.slice(url.indexOf('/collector/'))),
    );
    expect([...files]).toEqual(['/collector/bin/pingsphere.cjs', '/collector/dist/cli/pingsphere.cjs']);
    expect(result.builtins.filter((name) => tlsBuiltins.includes(name))).toEqual([]);
  });

  it('sweeps with `icmp` without loading the HTTP, metrics or sink packages', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await recordedRun(['icmp', '-c', '1', '127.0.0.1'], ['ip', 'netns', 'exec', ns.name]);
      expect(result.stdout).toMatch(/^127\.0\.0\.1 : \[0\], 64 bytes, [\d.]+ ms\n$/);
      expect(heavyAmong(result.packages)).toEqual([]);
      expect(result.urls.filter((url) => url.endsWith('.ts'))).toEqual([]);
      // Nor the ES-module build of `collect`, nor TLS.
      expect(result.urls.filter((url) => url.includes('/collector/dist/chunks/'))).toEqual([]);
      expect(result.builtins.filter((name) => tlsBuiltins.includes(name))).toEqual([]);
    });
  });

  it('drops NODE_EXTRA_CA_CERTS for the commands without TLS and keeps it for `collect`', async () => {
    // Node reads the file at start-up and warns when it cannot: the warning shows who read it.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(work, 'no-such-bundle.pem') };
    const run = (args: string[]) =>
      promisify(execFile)(bin, args, { env, timeout: 30_000 }).then(({ stdout, stderr }) => stdout + stderr);
    expect(await run(['--version'])).not.toMatch(/extra certs/i);
    expect(await run(['collect', '--help'])).toMatch(/Ignoring extra certs from .*no-such-bundle\.pem/);
  });

  it('runs through the symbolic link npm installs, and says how to build when dist is missing', async () => {
    const link = join(work, 'pingsphere-link');
    symlinkSync(bin, link);
    expect((await promisify(execFile)(link, ['--version'])).stdout).toMatch(/^pingsphere \d/);
    // A copy of bin/ without dist beside it: what a checkout looks like before `npm install`.
    const bare = join(work, 'bare/collector/bin');
    mkdirSync(bare, { recursive: true });
    for (const file of ['pingsphere', 'pingsphere.cjs'])
      copyFileSync(join(repoRoot, 'collector/bin', file), join(bare, file));
    const failed = await promisify(execFile)(join(bare, 'pingsphere'), ['--version']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/not built .*run `npm install`/s);
  });

  it('runs `collect` without the API server, QuestDB or CloudWatch packages unless they are asked for', async () => {
    // One ping to a closed port fails, and with -f 1 the collector ends after it.
    const closed = await freeLoopbackPort();
    const result = await recordedRun(['collect', '-d', '0.1', '-f', '1', `http://127.0.0.1:${closed}/v1/ping`]);
    expect(result.stdout + result.stderr).toMatch(/ECONNREFUSED/);
    // HTTP pings go through node:http: undici is for the QuestDB sink and --targets-from only.
    expect(heavyAmong(result.packages).filter((name) => !['prom-client', 'ajv'].includes(name))).toEqual([]);
    expect(ajvBeyondItsRuntime(result.urls)).toEqual([]);
  });

  it('serves the API (`collect -s`) with fastify but without undici or Ajv: schemas are precompiled', async () => {
    const port = await freeLoopbackPort();
    const closed = await freeLoopbackPort();
    // -n 1 with a peer that refuses: the collector keeps serving, so it is stopped by the timeout.
    const result = await recordedRun(
      ['collect', '-d', '0.1', '-s', String(port), '--listen', '127.0.0.1', `http://127.0.0.1:${closed}/v1/ping`],
      ['timeout', '-s', 'INT', '3'],
    );
    expect(result.stderr).toMatch(/serving http:\/\/127\.0\.0\.1:\d+\/v1\/ping/);
    expect(result.packages).toContain('fastify');
    expect(result.packages).toContain('prom-client');
    expect(result.packages).not.toContain('undici');
    expect(result.packages).not.toContain('@fastify/ajv-compiler');
    expect(ajvBeyondItsRuntime(result.urls)).toEqual([]);
  });
});
