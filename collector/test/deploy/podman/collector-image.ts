// The collector image, built from collector/Dockerfile as written. Only the source of npm's
// packages differs from a user's build: the build cannot verify the registry's TLS from inside a
// container here, so the Dockerfile's offline option installs from an npm cache filled on the host
// (no TLS or proxy settings of this machine go into the image).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@pingsphere/testbed';
import { cacheKey, deployCacheDir, progress, retag } from './deploy-cache.js';
import { localBuildArgs, podman, runCommand } from './podman-cli.js';

export const dockerfilePath = join(repoRoot, 'collector/Dockerfile');

/** The flags the Dockerfile gives `npm ci` (after the offline ones it may add). */
export function dockerfileNpmCiFlags(dockerfile = readFileSync(dockerfilePath, 'utf8')): string[] {
  const match = /npm ci "\$@" ((?:--?[\w=-]+(?: (?!-)[\w@/.-]+)?\s*)+)/.exec(dockerfile);
  if (!match) throw new Error('collector/Dockerfile has no `npm ci "$@" …` line: the offline build cannot follow it');
  return match[1]!.trim().split(/\s+/);
}

/** The package manifests npm ci reads: the root's and every workspace's, and the lockfile. */
function manifestPaths(): string[] {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return ['package.json', 'package-lock.json', ...root.workspaces.map((w) => join(w, 'package.json'))];
}

/**
 * An npm cache holding every package the Dockerfile's `npm ci` installs, filled on the host (which
 * reaches the registry) and kept in the deploy cache; refilled when the lockfile or flags change.
 */
export async function npmOfflineCache(): Promise<string> {
  const dir = join(deployCacheDir, 'npm-cache');
  const flags = dockerfileNpmCiFlags();
  const stamp = join(dir, '.filled-for');
  const key = cacheKey({ lock: readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'), flags });
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return dir;
  progress("filling the npm cache for the image's npm ci (packages from the npm registry)");
  mkdirSync(dir, { recursive: true });
  const stage = mkdtempSync(join(deployCacheDir, 'npm-stage-'));
  try {
    for (const path of manifestPaths()) {
      mkdirSync(join(stage, path, '..'), { recursive: true });
      cpSync(join(repoRoot, path), join(stage, path));
    }
    // --ignore-scripts: only the packages are wanted here; the image runs the install scripts.
    await runCommand(
      'npm',
      ['ci', ...flags, '--ignore-scripts', '--prefer-offline', '--cache', dir, '--no-audit', '--no-fund'],
      { timeoutMs: 10 * 60_000, cwd: stage },
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  writeFileSync(stamp, key);
  return dir;
}

/** Tags under which the last build is kept as podman's layer cache for the next run. */
const buildCache = {
  buildStage: 'localhost/pingsphere-cache/collector-build-stage:latest',
  image: 'localhost/pingsphere-cache/collector:latest',
};

/**
 * Builds collector/Dockerfile from the repository root the way a user would (`--pull=never` since
 * the base images are local, `--format docker` so podman keeps the HEALTHCHECK) and returns the
 * image id. Layers are cached by podman itself (keyed on each step and the files it copies): the
 * build stage and the image stay tagged as that cache, replacing the previous build's, so a rerun
 * with unchanged sources takes seconds. Call under withCacheLock.
 */
export async function buildCollectorImage(): Promise<string> {
  const npmCache = await npmOfflineCache();
  const dir = mkdtempSync(join(deployCacheDir, 'collector-build-'));
  try {
    const common = [
      ...localBuildArgs,
      '--build-context',
      `npm-cache=${npmCache}`,
      '--build-arg',
      'NPM_OFFLINE=true',
      '-f',
      dockerfilePath,
    ];
    const options = { timeoutMs: 20 * 60_000, onLine: (line: string) => /STEP \d+\/\d+/.test(line) && progress(line) };
    const ids: Record<keyof typeof buildCache, string> = { buildStage: '', image: '' };
    for (const [stage, extra] of [
      ['buildStage', ['--target', 'build']],
      ['image', []],
    ] as const) {
      const iidfile = join(dir, stage);
      await podman([...common, ...extra, '--iidfile', iidfile, repoRoot], options);
      ids[stage] = readFileSync(iidfile, 'utf8')
        .trim()
        .replace(/^sha256:/, '');
    }
    for (const stage of Object.keys(buildCache) as (keyof typeof buildCache)[])
      await retag(ids[stage], buildCache[stage]);
    return ids.image;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
