// /v1/peers in pingmesh's JSON shape (Go field names, durations in nanoseconds as Go's
// time.Duration marshals, times as RFC 3339) plus PingSphere's additions: loss and percentiles.
import type { HttpMesh } from '../mesh/http-mesh.js';
import type { Peer } from '../mesh/peer-registry.js';
import { round3 } from '../mesh/peer-stats.js';

/** The facts about this collector that /v1/peers reports. */
export interface ServerIdentity {
  startUs: number;
  srvLoc: string;
  srvHost: string;
  srvPort: number;
  srvIps: string[];
}

const goZeroTime = '0001-01-01T00:00:00Z';
const rfc3339 = (us: number) => (us === 0 ? goZeroTime : new Date(us / 1000).toISOString());
const nanoseconds = (ms: number) => Math.round(ms * 1e6);

/** One peer as pingmesh's `peer` struct marshals, plus loss and percentiles. */
export function peerJson(peer: Peer, mesh: HttpMesh) {
  const stats = peer.stats;
  const t = stats.totals;
  return {
    Url: peer.endpoint.url,
    Host: peer.endpoint.host,
    Limit: mesh.limit,
    Delay: mesh.delaySeconds,
    Maxfail: mesh.maxFail,
    Location: peer.location,
    PeerIP: peer.endpoint.ipOverride || stats.lastRemoteIp || (peer.addresses[0] ?? ''),
    Start: rfc3339(peer.addedUs),
    FirstPing: rfc3339(stats.firstPingUs),
    LatestPing: rfc3339(stats.latestPingUs),
    Pings: stats.pings,
    Fails: stats.fails,
    PingTotals: {
      Start: rfc3339(stats.firstPingUs),
      DnsLk: nanoseconds(t.dnsMs),
      TcpHs: nanoseconds(t.connectMs),
      TlsHs: nanoseconds(t.tlsMs),
      Reply: nanoseconds(t.ttfbMs),
      Close: nanoseconds(t.closeMs),
      Total: nanoseconds(t.totalMs),
      DestUrl: peer.endpoint.url,
      Location: peer.location,
      Remote: stats.lastRemoteIp,
      RespCode: stats.lastStatus,
      Size: t.sizeBytes,
    },
    LossPct: round3(stats.lossPct()),
    RecentLossPct: round3(stats.recentLossPct()),
    Percentiles: {
      Samples: stats.windowSamples,
      TotalMs: stats.totalPercentiles(),
      TcpHsMs: stats.connectPercentiles(),
    },
    Origin: peer.origin,
    Depth: peer.depth,
  };
}

/** The whole /v1/peers document. */
export function peersDocument(server: ServerIdentity, mesh: HttpMesh) {
  return {
    Start: rfc3339(server.startUs),
    SrvLoc: server.srvLoc,
    SrvHost: server.srvHost,
    SrvPort: server.srvPort,
    SrvIPs: server.srvIps,
    Peers: mesh.registry.list().map((peer) => peerJson(peer, mesh)),
    NumActive: mesh.registry.activeCount,
    NumDeleted: mesh.registry.deletedCount,
  };
}
