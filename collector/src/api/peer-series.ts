// The per-peer families of /metrics (RTT histograms, ping and failure counters, the location info
// gauge), kept compactly and written straight to OpenMetrics text. prom-client keeps a labels
// object and a bucket dictionary per series and, at every scrape, builds an object per sample:
// at 5,000 peers that was ~170,000 objects and a 16 MB string per scrape (2.5 s of blocked event
// loop, hundreds of MB of garbage). Here a peer is one Float64Array and a few fields, and a scrape
// is written in chunks of a few hundred peers. The text is what prom-client wrote for the same
// series (same names, HELP, label order and number format); the global families stay in prom-client.

/** Bucket bounds of the RTT histograms: loopback sub-millisecond up to intercontinental seconds. */
export const rttBucketsSeconds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** Peers per text chunk of a scrape (a chunk is ~50-100 kB). */
const peersPerChunk = 250;

// Layout of a peer's Float64Array: connect buckets, connect sum, connect count, then the same for
// the whole request. Buckets are counted per bucket (not cumulatively) and summed when written.
const histogramSlots = rttBucketsSeconds.length + 3; // buckets, +Inf, sum, count
const connectAt = 0;
const requestAt = histogramSlots;

interface PeerSeries {
  /** The peer label as it appears in the text: `peer="…"`, escaped once. */
  readonly label: string;
  readonly values: Float64Array;
  ok: number;
  fail: number;
  /** Failures by error class, in the order first seen. */
  failures: Map<string, number> | undefined;
  /** The active peer's location (the info gauge); undefined once the peer is forgotten. */
  location: string | undefined;
}

/** OpenMetrics label value escaping (backslash, double quote, line feed), as prom-client does. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** What one HTTP result contributes. */
export interface PeerObservation {
  peer: string;
  ok: boolean;
  connectSeconds: number;
  requestSeconds: number;
  error: string;
  location: string;
}

/** Per-peer series of the HTTP mesh. */
export class PeerSeriesFamily {
  private readonly peers = new Map<string, PeerSeries>();

  /** Accounts one ping. */
  observe(result: PeerObservation): void {
    const series = this.seriesOf(result.peer);
    if (result.ok) {
      series.ok++;
      addToHistogram(series.values, connectAt, result.connectSeconds);
      addToHistogram(series.values, requestAt, result.requestSeconds);
    } else {
      series.fail++;
      series.failures ??= new Map();
      const error = result.error || 'unknown';
      series.failures.set(error, (series.failures.get(error) ?? 0) + 1);
    }
    series.location = result.location;
  }

  /** Drops the info series of a peer that is no longer pinged (its counters stay, as counters do). */
  forget(peer: string): void {
    const series = this.peers.get(peer);
    if (series) series.location = undefined;
  }

  /** The families as OpenMetrics text, in chunks (no `# EOF`: the caller ends the exposition). */
  *text(): Generator<string> {
    yield* this.histogramText(
      'pingsphere_http_connect_seconds',
      'TCP handshake time per peer (the network round-trip estimate, pingmesh TcpHs)',
      connectAt,
    );
    yield* this.histogramText(
      'pingsphere_http_request_seconds',
      'Whole request time per peer (DNS to last byte)',
      requestAt,
    );
    yield* this.perPeer(
      'pingsphere_http_pings',
      'counter',
      'Pings per peer by outcome (ok: status <= 304; fail: anything else); loss = fail / (ok + fail)',
      (s) =>
        (s.ok > 0 ? `pingsphere_http_pings_total{${s.label},outcome="ok"} ${s.ok}\n` : '') +
        (s.fail > 0 ? `pingsphere_http_pings_total{${s.label},outcome="fail"} ${s.fail}\n` : ''),
    );
    yield* this.perPeer(
      'pingsphere_http_failures',
      'counter',
      'Failed pings per peer by error class (ECONNREFUSED, timeout, http_503, ...)',
      (s) => {
        let lines = '';
        for (const [error, count] of s.failures ?? []) {
          lines += `pingsphere_http_failures_total{${s.label},error="${escapeLabelValue(error)}"} ${count}\n`;
        }
        return lines;
      },
    );
    yield* this.perPeer(
      'pingsphere_http_peer_info',
      'gauge',
      'Location of each active peer (value is always 1)',
      (s) =>
        s.location === undefined
          ? ''
          : `pingsphere_http_peer_info{${s.label},location="${escapeLabelValue(s.location)}"} 1\n`,
    );
  }

  private seriesOf(peer: string): PeerSeries {
    let series = this.peers.get(peer);
    if (!series) {
      series = {
        label: `peer="${escapeLabelValue(peer)}"`,
        values: new Float64Array(2 * histogramSlots),
        ok: 0,
        fail: 0,
        failures: undefined,
        location: undefined,
      };
      this.peers.set(peer, series);
    }
    return series;
  }

  /** One family: HELP and TYPE, then each peer's lines, a chunk per `peersPerChunk` peers. */
  private *perPeer(
    name: string,
    type: 'counter' | 'gauge' | 'histogram',
    help: string,
    lines: (series: PeerSeries) => string,
  ): Generator<string> {
    let chunk = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
    let inChunk = 0;
    for (const series of this.peers.values()) {
      chunk += lines(series);
      if (++inChunk === peersPerChunk) {
        yield chunk;
        chunk = '';
        inChunk = 0;
      }
    }
    if (chunk !== '') yield chunk;
  }

  private histogramText(name: string, help: string, at: number): Generator<string> {
    return this.perPeer(name, 'histogram', help, (s) => {
      // Series appear once the peer answered, as prom-client's did on its first observation.
      const count = s.values[at + histogramSlots - 1]!;
      if (count === 0) return '';
      let lines = '';
      let cumulative = 0;
      for (let i = 0; i <= rttBucketsSeconds.length; i++) {
        cumulative += s.values[at + i]!;
        const le = i < rttBucketsSeconds.length ? String(rttBucketsSeconds[i]) : '+Inf';
        lines += `${name}_bucket{le="${le}",${s.label}} ${cumulative}\n`;
      }
      lines += `${name}_sum{${s.label}} ${s.values[at + histogramSlots - 2]}\n`;
      lines += `${name}_count{${s.label}} ${count}\n`;
      return lines;
    });
  }
}

/** Adds one observation to the histogram at `at` in `values`. */
function addToHistogram(values: Float64Array, at: number, seconds: number): void {
  let bucket = 0;
  while (bucket < rttBucketsSeconds.length && seconds > rttBucketsSeconds[bucket]!) bucket++;
  values[at + bucket]!++;
  values[at + histogramSlots - 2]! += seconds;
  values[at + histogramSlots - 1]!++;
}
