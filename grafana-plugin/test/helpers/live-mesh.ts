// A QuestDB filled by a REAL collector run: three `pingsphere collect` processes (HTTP mesh +
// ICMP sweeps of each other) inside a fresh network namespace, so every probe stays on that
// namespace's loopback; QuestDB runs on the host and is forwarded in over a Unix socket.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalQuestDb, NetworkNamespace, repoRoot } from '@pingsphere/testbed';

/** The collectors of the test mesh: -H name (= listen address) and -L location. */
export const meshCollectors = [
  { name: '127.0.0.1', location: 'Paris,FR' },
  { name: '127.0.0.2', location: 'Frankfurt,DE' },
  { name: '127.0.0.3', location: 'Tokyo,JP' },
] as const;

export interface LiveMesh {
  questdb: LocalQuestDb;
  /** First and last stored timestamp (ms), to aim queries at the data. */
  fromMs: number;
  toMs: number;
  dispose(): Promise<void>;
}

const cli = join(repoRoot, 'collector/bin/pingsphere.mjs');

/** Waits until `check` holds (polling), or fails after `timeoutMs` with `what`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Launches QuestDB, runs the three collectors for `runMs`, stops them (SIGTERM, so their sinks
 * flush) and waits until QuestDB shows both families' rows and the ICMP roll-up.
 * `beforeCollectors` runs against the still-empty QuestDB (health check of a bare server).
 */
export async function startLiveMesh(
  runMs = 8_000,
  beforeCollectors?: (questdb: LocalQuestDb) => Promise<void>,
): Promise<LiveMesh> {
  const questdb = await LocalQuestDb.launch({ maxHeap: '1g' });
  const dirs: string[] = [];
  let ns: NetworkNamespace | undefined;
  let forward: { close(): Promise<void> } | undefined;
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const dispose = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await forward?.close();
    await ns?.dispose();
    await questdb.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await beforeCollectors?.(questdb);
    ns = await NetworkNamespace.create('psplugin');
    forward = await ns.forwardHostPort(questdb.ports.http);
    const work = mkdtempSync(join(tmpdir(), 'pingsphere-plugin-mesh-'));
    dirs.push(work);
    const targets = join(work, 'targets.txt');
    writeFileSync(targets, meshCollectors.map((c) => c.name).join('\n') + '\n');
    for (const collector of meshCollectors) {
      const peers = meshCollectors.filter((c) => c !== collector).map((c) => `http://${c.name}:8080/v1/ping`);
      const child = ns.spawn(
        process.execPath,
        [
          cli,
          'collect',
          '-H',
          collector.name,
          '-L',
          collector.location,
          '-s',
          '8080',
          '--listen',
          collector.name,
          '-d',
          '0.25',
          '--questdb',
          questdb.clientConf,
          '--spool-dir',
          join(work, `spool-${collector.name}`),
          '--icmp-targets',
          targets,
          '--icmp-interval',
          '0.5',
          '-q',
          ...peers,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr?.on('data', (d: Buffer) => logs.push(`[${collector.name}] ${d.toString()}`));
      children.push(child);
    }
    // The run starts when every collector serves (a loaded machine can take seconds to start them).
    await waitUntil(
      async () => meshCollectors.every((c) => logs.some((l) => l.startsWith(`[${c.name}]`) && l.includes('serving'))),
      60_000,
      'all three collectors to serve',
    );
    await new Promise((r) => setTimeout(r, runMs));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    const count = async (sql: string) => Number((await questdb.query(sql)).dataset[0]?.[0] ?? 0);
    try {
      await waitUntil(async () => (await count('select count() from icmp')) > 0, 30_000, 'ICMP rows');
      await waitUntil(async () => (await count('select count() from http where ok')) > 0, 30_000, 'HTTP rows');
      await waitUntil(async () => (await count('select count() from icmp_1m')) > 0, 30_000, 'the icmp_1m roll-up');
    } catch (error) {
      throw new Error(`${(error as Error).message}\ncollector output:\n${logs.join('')}`);
    }
    const span = await questdb.query('select min(ts), max(ts) from icmp');
    const [first, last] = span.dataset[0] as [string, string];
    return { questdb, fromMs: Date.parse(first), toMs: Date.parse(last) + 1, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
