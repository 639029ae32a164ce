// The peers this collector pings: who they are, how they were found, their statistics, and the
// duplicate checks (same URL, or the same address, port and path under another name).
import type { Endpoint } from '../http/endpoint.js';
import { PeerStats } from './peer-stats.js';

/** How a peer came to be pinged. */
export type PeerOrigin = 'cli' | 'api' | 'import' | 'auto';

/** One ping target and what is known about it. */
export interface Peer {
  readonly id: number;
  readonly endpoint: Endpoint;
  /** Given ("#Location", API) or learned from the peer's replies; "" while unknown. */
  location: string;
  readonly origin: PeerOrigin;
  /** Discovery hops from a peer a person added (CLI, /v1/addpeer = 0). */
  readonly depth: number;
  /** Addresses the peer's host resolved to when it was added (the override if one is set). */
  readonly addresses: readonly string[];
  readonly addedUs: number;
  readonly stats: PeerStats;
}

/** Why a peer was not added. */
export interface Duplicate {
  reason: 'url' | 'address';
  existing: Peer;
}

function addressKeys(endpoint: Endpoint, addresses: readonly string[]): string[] {
  const path = new URL(endpoint.url).pathname;
  return addresses.map((ip) => `${endpoint.secure ? 'https' : 'http'}|${ip}|${endpoint.port}|${path}`);
}

/** The active peers plus a count of those that ended. */
export class PeerRegistry {
  private readonly byId = new Map<number, Peer>();
  private readonly byUrl = new Map<string, Peer>();
  private readonly byAddress = new Map<string, Peer>();
  private nextId = 1;
  /** Peers whose pinger ended (limit, failures). */
  deletedCount = 0;

  /** Adds a peer unless one with the same URL or the same address:port/path is already active. */
  add(
    endpoint: Endpoint,
    details: { origin: PeerOrigin; depth: number; addresses: readonly string[] },
  ): Peer | Duplicate {
    const duplicate = this.findDuplicate(endpoint, details.addresses);
    if (duplicate) return duplicate;
    const peer: Peer = {
      id: this.nextId++,
      endpoint,
      location: endpoint.location,
      origin: details.origin,
      depth: details.depth,
      addresses: details.addresses,
      addedUs: Date.now() * 1000,
      stats: new PeerStats(),
    };
    this.byId.set(peer.id, peer);
    this.byUrl.set(endpoint.url, peer);
    for (const key of addressKeys(endpoint, details.addresses)) this.byAddress.set(key, peer);
    return peer;
  }

  /** The active peer this endpoint would duplicate, if any. */
  findDuplicate(endpoint: Endpoint, addresses: readonly string[]): Duplicate | undefined {
    const sameUrl = this.byUrl.get(endpoint.url);
    if (sameUrl) return { reason: 'url', existing: sameUrl };
    for (const key of addressKeys(endpoint, addresses)) {
      const sameAddress = this.byAddress.get(key);
      if (sameAddress) return { reason: 'address', existing: sameAddress };
    }
    return undefined;
  }

  /** Removes a peer whose pinger ended; it counts as deleted (pingmesh's NumDeleted). */
  remove(peer: Peer): void {
    if (!this.byId.delete(peer.id)) return;
    this.byUrl.delete(peer.endpoint.url);
    for (const key of addressKeys(peer.endpoint, peer.addresses)) {
      if (this.byAddress.get(key) === peer) this.byAddress.delete(key);
    }
    this.deletedCount++;
  }

  get(id: number): Peer | undefined {
    return this.byId.get(id);
  }

  /** Active peers in the order they were added. */
  list(): Peer[] {
    return [...this.byId.values()];
  }

  get activeCount(): number {
    return this.byId.size;
  }
}

/** Type guard: the result of `add` was a refusal. */
export function isDuplicate(result: Peer | Duplicate): result is Duplicate {
  return 'reason' in result;
}
