// One run of the deploy tests and what it owns in podman. Every container, volume and network it
// makes carries its run id and the pid of the test process, so it removes exactly its own objects
// afterwards, and a later run removes what a killed run left (owner pid gone) without touching a
// run that is still going on at the same time.
import { randomBytes } from 'node:crypto';
import { processIsAlive } from './deploy-cache.js';
import { podman, podmanResult } from './podman-cli.js';

const ownerLabel = 'io.pingsphere.deploy-owner-pid';
const runLabel = 'io.pingsphere.deploy-run';

type Kind = 'container' | 'volume' | 'network';

interface Listed {
  name: string;
  labels: Record<string, string>;
}

/** The objects of one kind that carry the owner label, with their labels. */
async function listOwned(kind: Kind): Promise<Listed[]> {
  const args =
    kind === 'container'
      ? ['ps', '-a', '--filter', `label=${ownerLabel}`, '--format', 'json']
      : [kind, 'ls', '--filter', `label=${ownerLabel}`, '--format', 'json'];
  const rows = JSON.parse((await podman(args)) || '[]') as Record<string, unknown>[];
  return rows.map((row) => ({
    name: String(kind === 'container' ? (row.Names as string[])[0] : (row.Name ?? row.name)),
    labels: (row.Labels ?? row.labels ?? {}) as Record<string, string>,
  }));
}

async function remove(kind: Kind, name: string): Promise<void> {
  const args =
    // --volumes: also the anonymous volumes podman made for the image's VOLUME folders.
    kind === 'container' ? ['rm', '--force', '--volumes', '--time', '0', name] : [kind, 'rm', '--force', name];
  await podmanResult(args, { timeoutMs: 60_000 });
}

export class DeployRun {
  /** Prefix of every name this run gives (containers, volumes, networks). */
  readonly id = `psdeploy-${process.pid}-${randomBytes(2).toString('hex')}`;

  /** `--label` arguments that mark an object as this run's. */
  get labelArgs(): string[] {
    return ['--label', `${ownerLabel}=${process.pid}`, '--label', `${runLabel}=${this.id}`];
  }

  /** A name for one of this run's objects. */
  name(suffix: string): string {
    return `${this.id}-${suffix}`;
  }

  /** Removes what earlier runs left behind when their test process is gone; returns the names. */
  static async removeLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    // Containers first: a volume or network in use cannot be removed.
    for (const kind of ['container', 'volume', 'network'] as const) {
      for (const { name, labels } of await listOwned(kind)) {
        if (processIsAlive(Number(labels[ownerLabel]))) continue;
        await remove(kind, name);
        removed.push(name);
      }
    }
    return removed;
  }

  /** Removes every object of this run (containers, then volumes, then networks). */
  async removeAll(): Promise<void> {
    for (const kind of ['container', 'volume', 'network'] as const) {
      for (const { name, labels } of await listOwned(kind)) {
        if (labels[runLabel] === this.id) await remove(kind, name);
      }
    }
  }

  /** Names of this run's objects that still exist (empty after removeAll). */
  async remaining(): Promise<string[]> {
    const names: string[] = [];
    for (const kind of ['container', 'volume', 'network'] as const) {
      for (const { name, labels } of await listOwned(kind)) if (labels[runLabel] === this.id) names.push(name);
    }
    return names;
  }
}
