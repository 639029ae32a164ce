// The HTTP side of a collector: the peer registry, one Pinger per peer, and the path of every
// result (peer statistics, metrics, sinks). Adding a peer from any source goes through here.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Endpoint } from '../http/endpoint.js';
import { locationFromReply } from '../http/peer-location.js';
import { Pinger, isSuccess, type PingerEnd, type SlotStats } from '../http/pinger.js';
import type { TimedResponse } from '../http/timed-request.js';
import type { HttpResult } from '../results/http-result.js';
import type { MeshMetrics } from '../api/mesh-metrics.js';
import { PeerRegistry, isDuplicate, type Peer, type PeerOrigin } from './peer-registry.js';
import type { ResultFanout } from './result-fanout.js';

/** Who this collector is, as written into every result. */
export interface CollectorIdentity {
  src: string;
  srcLoc: string;
}

/** Settings every pinger of the mesh shares. */
export interface HttpMeshOptions {
  identity: CollectorIdentity;
  delaySeconds: number;
  limit: number;
  maxFail: number;
  timeoutSeconds: number;
  fanout: ResultFanout;
  metrics?: MeshMetrics;
  /** Operational messages (peer added, pinger ended), for the user. */
  log: (line: string) => void;
  /** True if these addresses and port are this collector's own server (discovered peers only). */
  isSelf?: (addresses: readonly string[], port: number) => boolean;
}

/** What became of a request to add a peer. */
export type AddPeerOutcome =
  | { status: 'added'; peer: Peer }
  | { status: 'duplicate'; reason: 'url' | 'address'; existing: Peer }
  | { status: 'refused'; reason: string };

/** How a peer is being added. */
export interface AddPeerDetails {
  origin: PeerOrigin;
  /** Discovery hops from a hand-added peer; 0 for the CLI and /v1/addpeer. */
  depth: number;
  /**
   * A gate for a peer that is not a duplicate (peer caps, rate limits), asked before its name is
   * looked up; returns a refusal reason. Peers already pinged never reach it, so a list that is
   * read again and again does not count its known peers as refused.
   */
  admit?: () => string | null;
  /** A last check on the resolved addresses (auto-mesh allow-list); returns a refusal reason. */
  vet?: (addresses: readonly string[]) => string | null;
  /**
   * The addresses the peer may be pinged at from then on, checked at every ping's own lookup
   * (auto-mesh allow-list): a name vetted once may resolve elsewhere later.
   */
  allowAddress?: (ip: string) => boolean;
  /** Extra addresses that also identify the peer (a peer list's PeerIP), for duplicate checks. */
  knownAddresses?: readonly string[];
}

/** The addresses a ping to this endpoint may reach: the override, the literal, or DNS's answer. */
export async function targetAddresses(endpoint: Endpoint): Promise<string[]> {
  if (endpoint.ipOverride) return [endpoint.ipOverride];
  if (isIP(endpoint.host)) return [endpoint.host];
  try {
    return (await lookup(endpoint.host, { all: true })).map((answer) => answer.address);
  } catch {
    return [];
  }
}

/** Peers, their pingers, and the results they produce. */
export class HttpMesh {
  readonly registry = new PeerRegistry();
  /** How pingers ended, for the exit code and the API. */
  readonly endings: Record<Exclude<PingerEnd, 'stopped'>, number> = { limit: 0, maxfail: 0 };
  private readonly pingers = new Map<number, Pinger>();
  private delayMs: number;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];
  private readonly retiredSlots: SlotStats = { slots: 0, skipped: 0, late: 0, maxLateMs: 0 };

  constructor(private readonly options: HttpMeshOptions) {
    this.delayMs = options.delaySeconds * 1000;
    options.metrics?.readSchedule(() => this.slotStats());
  }

  get delaySeconds(): number {
    return this.delayMs / 1000;
  }

  /** Changes the delay of every pinger from its next slot on. */
  setDelay(seconds: number): void {
    this.delayMs = seconds * 1000;
  }

  get limit(): number {
    return this.options.limit;
  }

  get maxFail(): number {
    return this.options.maxFail;
  }

  /** Adds a peer and starts pinging it, unless it duplicates an active peer or is refused. */
  async addPeer(endpoint: Endpoint, details: AddPeerDetails): Promise<AddPeerOutcome> {
    if (this.stopping) return { status: 'refused', reason: 'the collector is shutting down' };
    // Cheap checks first: a known URL or a listed address needs no DNS lookup.
    const known = details.knownAddresses?.filter((ip) => isIP(ip) !== 0) ?? [];
    const early = this.registry.findDuplicate(endpoint, known);
    if (early) return { status: 'duplicate', reason: early.reason, existing: early.existing };
    const gate = details.admit?.();
    if (gate) return { status: 'refused', reason: gate };
    const addresses = await targetAddresses(endpoint);
    const discovered = details.origin === 'import' || details.origin === 'auto';
    if (discovered && this.options.isSelf?.(addresses, endpoint.port)) {
      return { status: 'refused', reason: 'it is this collector' };
    }
    const refusal = details.vet?.(addresses);
    if (refusal) return { status: 'refused', reason: refusal };
    const added = this.registry.add(endpoint, { origin: details.origin, depth: details.depth, addresses });
    if (isDuplicate(added)) return { status: 'duplicate', reason: added.reason, existing: added.existing };
    this.startPinger(added, details.allowAddress);
    this.options.metrics?.activePeers.set(this.registry.activeCount);
    return { status: 'added', peer: added };
  }

  /** Resolves once no pinger is left (all reached -n or -f). */
  whenIdle(): Promise<void> {
    if (this.pingers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops every pinger and waits for requests in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.pingers.values()].map((pinger) => pinger.stop()));
  }

  /** Schedule health summed over all pingers, past and present. */
  slotStats(): SlotStats {
    const total = { ...this.retiredSlots };
    for (const pinger of this.pingers.values()) addSlots(total, pinger.slotStats);
    return total;
  }

  private startPinger(peer: Peer, allowAddress?: (ip: string) => boolean): void {
    const pinger = new Pinger(peer.endpoint, {
      allowAddress,
      delayMs: () => this.delayMs,
      limit: this.options.limit,
      maxFail: this.options.maxFail,
      timeoutMs: this.options.timeoutSeconds * 1000,
      onResponse: (response) => this.record(peer, response),
      onSlot: (lateMs) => this.options.metrics?.observeSlotLateness(lateMs),
    });
    this.pingers.set(peer.id, pinger);
    void pinger.ended.then((end) => this.retire(peer, pinger, end));
    pinger.start();
  }

  private record(peer: Peer, response: TimedResponse): void {
    if (!peer.location && isSuccess(response)) {
      const learned = locationFromReply(response.bodyHead);
      if (learned) peer.location = learned;
    }
    const ok = isSuccess(response);
    const result: HttpResult = {
      tsUs: response.startUs,
      src: this.options.identity.src,
      srcLoc: this.options.identity.srcLoc,
      dst: peer.endpoint.url,
      dstHost: peer.endpoint.host,
      dstIp: response.remoteIp,
      dstLoc: peer.location,
      status: response.status,
      dnsMs: response.dnsMs,
      connectMs: response.connectMs,
      tlsMs: response.tlsMs,
      ttfbMs: response.ttfbMs,
      closeMs: response.closeMs,
      totalMs: response.totalMs,
      sizeBytes: response.sizeBytes,
      ok,
      error: ok ? '' : response.error || `http_${response.status}`,
    };
    peer.stats.record(result);
    this.options.metrics?.observe(result);
    this.options.fanout.push(result);
  }

  private retire(peer: Peer, pinger: Pinger, end: PingerEnd): void {
    addSlots(this.retiredSlots, pinger.slotStats);
    this.pingers.delete(peer.id);
    if (end !== 'stopped') {
      this.endings[end]++;
      this.registry.remove(peer);
      this.options.metrics?.forgetPeer(peer.endpoint.url);
      this.options.metrics?.activePeers.set(this.registry.activeCount);
      this.options.metrics?.deletedPeers.set(this.registry.deletedCount);
      this.options.log(
        end === 'limit'
          ? `${peer.endpoint.url}: ${pinger.pings} pings done (-n ${this.options.limit}), pinger stopped`
          : `${peer.endpoint.url}: ${pinger.fails} failures (-f ${this.options.maxFail}), giving up on it`,
      );
    }
    if (this.pingers.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

function addSlots(into: SlotStats, from: SlotStats): void {
  into.slots += from.slots;
  into.skipped += from.skipped;
  into.late += from.late;
  into.maxLateMs = Math.max(into.maxLateMs, from.maxLateMs);
}
