// Automatic mesh growth (--auto-mesh): every interval, read the peer lists of the mesh peers we
// know and add what is new — inside the limits pingmesh's author asked for before anyone grows a
// mesh by itself: a peer cap, a discovery depth, a rate limit on additions and an allow-list of
// networks. Nothing is ever pushed to other hosts; the collector only decides whom *it* pings.
import { BlockList, isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AutoMeshConfig } from '../config/collector-config.js';
import { importPeers, PeerListError } from './discovery.js';
import type { HttpMesh } from './http-mesh.js';
import type { Peer } from './peer-registry.js';

/** Refusal counts by reason, for the API and the logs. */
export type AutoMeshCounters = Record<'added' | 'maxPeers' | 'rateLimited' | 'notAllowed' | 'listErrors', number>;

/** What discovery has done so far: the counters plus completed rounds and peer lists read. */
export interface AutoMeshStats extends AutoMeshCounters {
  rounds: number;
  listsRead: number;
}

/** A token bucket: `ratePerMinute` tokens a minute, holding at most `capacity`. */
export class AdditionRateLimit {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly ratePerMinute: number,
    private readonly capacity = Math.max(1, Math.floor(ratePerMinute / 6)),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = this.capacity;
    this.updatedMs = now();
  }

  /** True if an addition may happen now (does not spend). */
  available(): boolean {
    this.refill();
    return this.tokens >= 1 - 1e-9; // refills add up in floating point
  }

  /** Spends one token. */
  spend(): void {
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedMs) / 60_000) * this.ratePerMinute);
    this.updatedMs = now;
  }
}

/** Builds the allow-list from CIDR strings (validated by the config). */
export function allowListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Whether a peer serves a peer list (pingmesh's IsPingmeshPeer: its URL is a /v1 API path). */
function isMeshPeer(peer: Peer): boolean {
  const path = new URL(peer.endpoint.url).pathname;
  return ['/v1/ping', '/v1/peers', '/v1/addpeer'].some((suffix) => path.endsWith(suffix));
}

/** Periodic, bounded discovery from the peers' own peer lists. */
export class AutoMesh {
  readonly counters: AutoMeshCounters = { added: 0, maxPeers: 0, rateLimited: 0, notAllowed: 0, listErrors: 0 };
  private readonly allowList: BlockList;
  private readonly rate: AdditionRateLimit;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  private rounds = 0;
  private listsRead = 0;

  constructor(
    private readonly mesh: HttpMesh,
    private readonly config: AutoMeshConfig,
    private readonly log: (line: string) => void,
  ) {
    this.allowList = allowListOf(config.allowCidrs);
    this.rate = new AdditionRateLimit(config.addsPerMinute);
  }

  /** Starts the periodic rounds (the first one after one interval). */
  start(): void {
    this.timer = setInterval(() => {
      this.round ??= this.discover().finally(() => (this.round = undefined));
    }, this.config.intervalSeconds * 1000);
  }

  /** Stops the rounds and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
  }

  /** Counters for /metrics: a test (or an operator) can tell that a round really ran, and what it refused. */
  stats(): AutoMeshStats {
    return { ...this.counters, rounds: this.rounds, listsRead: this.listsRead };
  }

  /** Whether every address a peer resolves to lies in the allow-list. */
  isAllowed(addresses: readonly string[]): boolean {
    return addresses.length > 0 && addresses.every((ip) => this.allowList.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4'));
  }

  /** One discovery round over the current peers (exported for tests through start()). */
  async discover(): Promise<void> {
    const sources = this.mesh.registry.list().filter((peer) => peer.depth < this.config.maxDepth && isMeshPeer(peer));
    for (const source of sources) {
      if (this.stopped) return;
      const listUrl = `${source.endpoint.origin}/v1/peers`;
      try {
        const report = await importPeers(this.mesh, listUrl, {
          origin: 'auto',
          depth: source.depth + 1,
          timeoutMs: 5000,
          admit: () => {
            if (this.mesh.registry.activeCount >= this.config.maxPeers) {
              this.counters.maxPeers++;
              return `the mesh already has ${this.config.maxPeers} peers (--mesh-max-peers)`;
            }
            if (!this.rate.available()) {
              this.counters.rateLimited++;
              return `more than ${this.config.addsPerMinute} additions a minute (--mesh-add-rate)`;
            }
            return null;
          },
          onAdded: () => {
            this.rate.spend();
            this.counters.added++;
          },
          vet: (addresses) => {
            if (this.isAllowed(addresses)) return null;
            this.counters.notAllowed++;
            return `its address ${addresses.join(', ') || '(unresolved)'} is outside --mesh-allow`;
          },
          // And at every ping: a name that later resolves outside the allow-list is not followed there.
          allowAddress: (ip) => this.isAllowed([ip]),
        });
        this.listsRead++;
        for (const url of report.added) this.log(`auto-mesh: added ${url} (from ${listUrl})`);
      } catch (error) {
        if (!(error instanceof PeerListError)) throw error;
        this.counters.listErrors++;
      }
    }
    this.rounds++;
  }
}
