// The `pingsphere` bin runs the compiled collector/dist: built from the sources as they are now
// (so what runs is what is checked in), without TypeScript at run time, and loading only what the
// chosen subcommand needs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeLoopbackPort, repoRoot, withNetworkNamespace } from '@pingsphere/testbed';
import { afterAll, describe, expect, it } from 'vitest';
import { binFreshness, buildOptions, distDir } from '../../scripts/build-bin.mjs';

const bin = join(repoRoot, 'collector/bin/pingsphere.mjs');
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
/** Runs the bin with every resolved module recorded; `prefix` runs it inside a namespace. */
async function recordedRun(args: string[], prefix: string[] = []) {
  const record = join(work, `imports-${runs++}.txt`);
  const command = [...prefix, process.execPath, '--import', recorder, bin, ...args];
  const result = await promisify(execFile)(command[0]!, command.slice(1), {
    env: { ...process.env, RECORD_IMPORTS: record },
    timeout: 30_000,
  }).catch((error: { code?: number; stdout: string; stderr: string }) => ({ ...error, failed: true }));
  const urls = readFileSync(record, 'utf8').trim().split('\n');
  return { ...result, urls, packages: packagesIn(urls) };
}

describe('the pingsphere bin', () => {
  it('runs collector/dist as built from the current sources (run `npm run build --workspace collector` if not)', async () => {
    const { fresh, reason } = binFreshness();
    expect(reason).toBe('');
    expect(fresh).toBe(true);
    // And byte for byte what a build of these sources gives now.
    const esbuild = await import('esbuild');
    const rebuilt = await esbuild.build({ ...buildOptions(esbuild), write: false });
    expect(rebuilt.outputFiles.length).toBeGreaterThan(0);
    for (const file of rebuilt.outputFiles) {
      expect(readFileSync(file.path, 'utf8'), file.path.slice(distDir.length + 1)).toBe(file.text);
    }
  });

  it('answers --version from the compiled entry alone: no npm package, no TypeScript', async () => {
    const result = await recordedRun(['--version']);
    const version = (JSON.parse(readFileSync(join(repoRoot, 'collector/package.json'), 'utf8')) as { version: string })
      .version;
    expect(result.stdout).toBe(`pingsphere ${version}\n`);
    expect(result.packages).toEqual(new Set());
    const files = result.urls
      .filter((url) => url.startsWith('file:'))
      .map((url) => url.slice(url.indexOf('/collector/')));
    expect(files[0]).toBe('/collector/bin/pingsphere.mjs');
    expect(
      files.slice(1).every((file) => file.startsWith('/collector/dist/') && file.endsWith('.js')),
      files.join(),
    ).toBe(true);
  });

  it('sweeps with `icmp` without loading the HTTP, metrics or sink packages', async () => {
    await withNetworkNamespace(async (ns) => {
      const result = await recordedRun(['icmp', '-c', '1', '127.0.0.1'], ['ip', 'netns', 'exec', ns.name]);
      expect(result.stdout).toMatch(/^127\.0\.0\.1 : \[0\], 64 bytes, [\d.]+ ms\n$/);
      expect(heavyAmong(result.packages)).toEqual([]);
      expect(result.urls.filter((url) => url.endsWith('.ts'))).toEqual([]);
    });
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
