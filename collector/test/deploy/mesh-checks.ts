// What "the compose stack works" means, shared by the test that runs its collectors on namespaces
// and the one that runs its images under podman: each reads the collectors and QuestDB its own way.
import { collectorServices, locationOf, type ComposeFile } from './compose-file.js';

interface Peer {
  Url: string;
  Pings: number;
}

/** A collector's `/v1/peers` list (pingmesh's shape), however the test reaches it. */
export type PeersOf = (collector: string) => Promise<Peer[]>;

/** SQL against the stack's QuestDB, rows as objects, however the test reaches it. */
export type QueryRows = (sql: string) => Promise<Record<string, unknown>[]>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every collector pings every other one with samples; returns the links still
 * missing when `timeoutMs` ran out (empty when the mesh is complete).
 */
export async function missingMeshLinks(compose: ComposeFile, peersOf: PeersOf, timeoutMs: number): Promise<string[]> {
  const names = collectorServices(compose);
  const deadline = Date.now() + timeoutMs;
  let missing: string[] = [];
  do {
    missing = [];
    for (const name of names) {
      const peers = await peersOf(name).catch((): Peer[] => []);
      for (const other of names.filter((n) => n !== name)) {
        const peer = peers.find((p) => p.Url === `http://${other}:8080/v1/ping`);
        if (!peer || peer.Pings === 0) missing.push(`${name}→${other}`);
      }
    }
    if (missing.length > 0) await pause(1000);
  } while (missing.length > 0 && Date.now() < deadline);
  return missing;
}

/** Which collectors stored HTTP and ICMP rows, and which peer locations they learned. */
export interface MeshRows {
  icmpSources: unknown[];
  httpSources: unknown[];
  learnedLocations: unknown[];
}

/** What QuestDB holds once the mesh has run: rows from every collector, every location learned. */
export function expectedMeshRows(compose: ComposeFile): MeshRows {
  const names = collectorServices(compose);
  return {
    icmpSources: [...names].sort(),
    httpSources: [...names].sort(),
    learnedLocations: names.map((name) => locationOf(compose, name)).sort(),
  };
}

/**
 * Waits (rows arrive within a flush interval and a WAL commit of being measured) until QuestDB
 * holds what expectedMeshRows says, ICMP counted only towards addresses starting with
 * `icmpDestinationPrefix` (the stack's own network); returns what it saw last.
 */
export async function storedMeshRows(
  compose: ComposeFile,
  query: QueryRows,
  icmpDestinationPrefix: string,
  timeoutMs: number,
): Promise<MeshRows | null> {
  const snapshot = async (): Promise<MeshRows> => ({
    icmpSources: (
      await query(
        `select distinct src from icmp where rtt_ms is not null and dst like '${icmpDestinationPrefix}%' order by src`,
      )
    ).map((r) => r.src),
    httpSources: (await query('select distinct src from http where ok order by src')).map((r) => r.src),
    learnedLocations: (await query('select distinct dst_loc from http where dst_loc is not null order by dst_loc')).map(
      (r) => r.dst_loc,
    ),
  });
  const expected = JSON.stringify(expectedMeshRows(compose));
  const deadline = Date.now() + timeoutMs;
  let seen = await snapshot().catch(() => null);
  while (JSON.stringify(seen) !== expected && Date.now() < deadline) {
    await pause(1000);
    seen = await snapshot().catch(() => null);
  }
  return seen;
}
