// Where the deploy tests keep what is slow to make, and how runs share it.
//
// CI runs each time on a fresh clone on the same machine, so a cache inside the clone (even an
// ignored folder) would be gone on every run. The images live in podman's own store (which
// outlives clones) and the rest in a folder outside the clone; every entry is keyed on what went
// into it, so a changed recipe or version is rebuilt rather than reused.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { podman, podmanResult } from './podman-cli.js';

/** Folder for the npm cache and scratch space of the image builds (PINGSPHERE_DEPLOY_CACHE overrides). */
export const deployCacheDir = process.env.PINGSPHERE_DEPLOY_CACHE ?? '/var/cache/pingsphere/deploy';

/** Label on every cached image: the key of the inputs it was built from. */
export const cacheKeyLabel = 'io.pingsphere.cache-key';

/** A short content key: the same inputs give the same key, any change gives another. */
export function cacheKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

/** Progress of slow steps on stderr, so a long first run shows what it is doing. */
export function progress(message: string): void {
  process.stderr.write(`[deploy] ${message}\n`);
}

/** Whether a process runs (one of another user counts too). */
export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock's owner file, or null while there is none (or no lock any more). */
function lockHolder(ownerFile: string): number | null {
  try {
    return Number(readFileSync(ownerFile, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/**
 * Runs `body` while holding the cache lock, so two test runs at the same time (two engineers'
 * `npm test`) do not build the same image twice or retag it under each other. A lock whose owner
 * process is gone (a killed run) is taken over.
 */
export async function withCacheLock<T>(body: () => Promise<T>, timeoutMs = 20 * 60_000): Promise<T> {
  mkdirSync(deployCacheDir, { recursive: true });
  const lock = join(deployCacheDir, 'lock');
  const owner = join(lock, 'owner-pid');
  const deadline = Date.now() + timeoutMs;
  let lastNote = 0;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(owner);
    // No pid yet: just created by another run, or left by one killed between the two steps (stale
    // after a minute). A lock that vanished meanwhile is simply tried again.
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (holder === null ? age > 60_000 : !processIsAlive(holder)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`the deploy cache at ${deployCacheDir} stayed locked by process ${holder} for ${timeoutMs} ms`);
    }
    if (Date.now() - lastNote > 30_000) {
      progress(`waiting for process ${holder ?? '?'} to finish with the deploy cache`);
      lastNote = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** An image in podman's store, reused while its inputs are unchanged. */
export interface CachedImage {
  /** Tag in podman's store. */
  name: string;
  /** Content key of everything the image is made from (see cacheKey). */
  key: string;
  /** Builds the image under `name`, carrying `cacheKeyLabel=key`. */
  build(): Promise<void>;
}

/** Image id and key label of a tag, or null when podman has no such image. */
async function inspectImage(name: string): Promise<{ id: string; key: string } | null> {
  const result = await podmanResult([
    'image',
    'inspect',
    '--format',
    `{{.Id}} {{index .Labels "${cacheKeyLabel}"}}`,
    name,
  ]);
  if (result.exitCode !== 0) return null;
  const [id, key] = result.stdout.trim().split(' ');
  return { id: id!, key: key ?? '' };
}

/**
 * Returns the image's id, building it first when it is missing or was built from other inputs.
 * The image it replaces is removed when nothing else uses it. Call under withCacheLock.
 */
export async function ensureCachedImage(image: CachedImage): Promise<{ id: string; replacedId?: string }> {
  const existing = await inspectImage(image.name);
  if (existing?.key === image.key) return { id: existing.id };
  progress(
    existing
      ? `${image.name} is stale (built from other inputs): rebuilding`
      : `${image.name} is not in podman's store yet: building it`,
  );
  const started = Date.now();
  await image.build();
  const built = await inspectImage(image.name);
  if (built?.key !== image.key) {
    throw new Error(`${image.name} was built but does not carry ${cacheKeyLabel}=${image.key}`);
  }
  progress(`${image.name} built in ${Math.round((Date.now() - started) / 1000)} s`);
  if (!existing || existing.id === built.id) return { id: built.id };
  await removeImageIfUnused(existing.id);
  return { id: built.id, replacedId: existing.id };
}

/** Removes an image that no tag and no container uses any more; leaves it otherwise. */
export async function removeImageIfUnused(id: string): Promise<void> {
  const tags = await podmanResult(['image', 'inspect', '--format', '{{len .RepoTags}}', id]);
  if (tags.exitCode !== 0 || tags.stdout.trim() !== '0') return;
  // Without --force podman refuses an image that a container still uses.
  await podmanResult(['rmi', id]);
}

/** Tags `id` as `name`, untagging whatever image had that name before (removed if unused). */
export async function retag(id: string, name: string): Promise<void> {
  const previous = await inspectImage(name);
  if (previous?.id === id) return;
  await podman(['tag', id, name]);
  if (previous) await removeImageIfUnused(previous.id);
}
