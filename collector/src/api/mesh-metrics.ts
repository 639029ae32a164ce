// /metrics in OpenMetrics text format (prom-client): per-peer RTT histograms, ping and failure
// counters (loss = failures / attempts), schedule misses, peer counts, sink delivery, ICMP sweeps
// and the process's own stats.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';
import type { SlotStats } from '../http/pinger.js';
import type { AutoMeshStats } from '../mesh/auto-mesh.js';
import type { SweepSchedulerStats } from '../icmp/sweep-scheduler.js';
import type { HttpResult } from '../results/http-result.js';
import type { ResultSink } from '../sinks/result-sink.js';

// Loopback sub-millisecond up to intercontinental seconds.
const rttBucketsSeconds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** The collector's Prometheus/OpenMetrics registry and the series it keeps up to date. */
export class MeshMetrics {
  readonly registry = new Registry<OpenMetricsContentType>();
  private readonly connectSeconds = new Histogram({
    name: 'pingsphere_http_connect_seconds',
    help: 'TCP handshake time per peer (the network round-trip estimate, pingmesh TcpHs)',
    labelNames: ['peer'],
    buckets: rttBucketsSeconds,
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: 'pingsphere_http_request_seconds',
    help: 'Whole request time per peer (DNS to last byte)',
    labelNames: ['peer'],
    buckets: rttBucketsSeconds,
    registers: [this.registry],
  });
  private readonly pings = new Counter({
    name: 'pingsphere_http_pings',
    help: 'Pings per peer by outcome (ok: status <= 304; fail: anything else); loss = fail / (ok + fail)',
    labelNames: ['peer', 'outcome'],
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'pingsphere_http_failures',
    help: 'Failed pings per peer by error class (ECONNREFUSED, timeout, http_503, ...)',
    labelNames: ['peer', 'error'],
    registers: [this.registry],
  });
  private readonly peerInfo = new Gauge({
    name: 'pingsphere_http_peer_info',
    help: 'Location of each active peer (value is always 1)',
    labelNames: ['peer', 'location'],
    registers: [this.registry],
  });
  private readonly slotLatenessSeconds = new Histogram({
    name: 'pingsphere_http_schedule_lateness_seconds',
    help: 'How late each schedule slot started after its due time (event-loop lag)',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly activePeers = new Gauge({
    name: 'pingsphere_mesh_active_peers',
    help: 'Peers being pinged',
    registers: [this.registry],
  });
  readonly deletedPeers = new Gauge({
    name: 'pingsphere_mesh_deleted_peers',
    help: 'Peers whose pinger ended (limit reached or too many failures)',
    registers: [this.registry],
  });
  private readonly locations = new Map<string, string>();
  private schedule: () => SlotStats = () => ({ slots: 0, skipped: 0, late: 0, maxLateMs: 0 });
  private sinks: () => readonly ResultSink[] = () => [];
  private icmp: () => SweepSchedulerStats | null = () => null;
  private autoMesh: () => AutoMeshStats | null = () => null;

  constructor() {
    const currentSchedule = () => this.schedule();
    const scheduleGauge = (name: string, help: string, read: (slots: SlotStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        // Read at scrape time from the pingers' own counters.
        collect(this: Gauge) {
          this.set(read(currentSchedule()));
        },
      });
    scheduleGauge('pingsphere_http_schedule_slots', 'Schedule slots that came due, over all pingers', (s) => s.slots);
    scheduleGauge(
      'pingsphere_http_schedule_skipped_slots',
      'Slots skipped because the previous request to the same peer was still running',
      (s) => s.skipped,
    );
    scheduleGauge(
      'pingsphere_http_schedule_late_slots',
      'Slots that started more than 10 % of the delay after they were due',
      (s) => s.late,
    );
    scheduleGauge(
      'pingsphere_http_schedule_max_lateness_seconds',
      'Worst start delay of a slot after its due time',
      (s) => s.maxLateMs / 1000,
    );
    const currentSinks = () => this.sinks();
    new Gauge({
      name: 'pingsphere_sink_results',
      help: 'Results per sink by delivery state (dropped ones were given up on and reported)',
      labelNames: ['sink', 'state'],
      registers: [this.registry],
      collect(this: Gauge<'sink' | 'state'>) {
        for (const sink of currentSinks()) {
          const stats = sink.stats();
          for (const state of ['delivered', 'pending', 'dropped'] as const) {
            this.set({ sink: sink.name, state }, stats[state]);
          }
        }
      },
    });
    const currentIcmp = () => this.icmp();
    const icmpGauge = (name: string, help: string, read: (stats: SweepSchedulerStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect(this: Gauge) {
          const stats = currentIcmp();
          if (stats) this.set(read(stats));
        },
      });
    icmpGauge('pingsphere_icmp_sweeps', 'ICMP sweeps completed', (s) => s.sweeps);
    icmpGauge(
      'pingsphere_icmp_skipped_sweeps',
      'ICMP sweeps skipped because the previous one still ran',
      (s) => s.skipped,
    );
    icmpGauge('pingsphere_icmp_probes', 'ICMP probes in completed sweeps', (s) => s.probes);
    icmpGauge(
      'pingsphere_icmp_replies',
      'ICMP replies in completed sweeps (loss = 1 - replies / probes)',
      (s) => s.replies,
    );
    this.autoMeshGauges();
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    collectDefaultMetrics({ register: this.registry, prefix: 'pingsphere_' });
  }

  /** --auto-mesh's gauges, read at scrape time (absent without --auto-mesh). */
  private autoMeshGauges(): void {
    const current = () => this.autoMesh();
    const gauge = (name: string, help: string, read: (stats: AutoMeshStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect(this: Gauge) {
          const stats = current();
          if (stats) this.set(read(stats));
        },
      });
    gauge('pingsphere_automesh_rounds', 'Discovery rounds completed (--mesh-interval)', (s) => s.rounds);
    gauge('pingsphere_automesh_lists_read', "Peers' /v1/peers lists read by discovery", (s) => s.listsRead);
    gauge('pingsphere_automesh_list_errors', 'Peer lists discovery could not read or parse', (s) => s.listErrors);
    gauge('pingsphere_automesh_added', 'Peers added by discovery', (s) => s.added);
    new Gauge({
      name: 'pingsphere_automesh_refused',
      help: 'New peers discovery did not add, by fence: max_peers (--mesh-max-peers), rate (--mesh-add-rate), not_allowed (--mesh-allow)',
      labelNames: ['fence'],
      registers: [this.registry],
      collect(this: Gauge<'fence'>) {
        const stats = current();
        if (!stats) return;
        this.set({ fence: 'max_peers' }, stats.maxPeers);
        this.set({ fence: 'rate' }, stats.rateLimited);
        this.set({ fence: 'not_allowed' }, stats.notAllowed);
      },
    });
  }

  /** Where the --auto-mesh gauges read from. */
  readAutoMesh(source: () => AutoMeshStats | null): void {
    this.autoMesh = source;
  }

  /** Where the schedule gauges read from (the mesh's pingers). */
  readSchedule(source: () => SlotStats): void {
    this.schedule = source;
  }

  /** Where the sink gauges read from. */
  readSinks(source: () => readonly ResultSink[]): void {
    this.sinks = source;
  }

  /** Where the ICMP gauges read from (none when the collector sweeps nothing). */
  readIcmp(source: () => SweepSchedulerStats | null): void {
    this.icmp = source;
  }

  /** Accounts one schedule slot's start delay. */
  observeSlotLateness(lateMs: number): void {
    this.slotLatenessSeconds.observe(lateMs / 1000);
  }

  /** Accounts one result. */
  observe(result: HttpResult): void {
    this.pings.inc({ peer: result.dst, outcome: result.ok ? 'ok' : 'fail' });
    if (result.ok) {
      this.connectSeconds.observe({ peer: result.dst }, result.connectMs / 1000);
      this.requestSeconds.observe({ peer: result.dst }, result.totalMs / 1000);
    } else {
      this.failures.inc({ peer: result.dst, error: result.error || 'unknown' });
    }
    if (this.locations.get(result.dst) !== result.dstLoc) {
      const previous = this.locations.get(result.dst);
      if (previous !== undefined) this.peerInfo.remove({ peer: result.dst, location: previous });
      this.locations.set(result.dst, result.dstLoc);
      this.peerInfo.set({ peer: result.dst, location: result.dstLoc }, 1);
    }
  }

  /** Drops the info series of a peer that is no longer pinged (its counters stay, as counters do). */
  forgetPeer(url: string): void {
    const location = this.locations.get(url);
    if (location !== undefined) this.peerInfo.remove({ peer: url, location });
    this.locations.delete(url);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
