// /metrics in OpenMetrics text format: per-peer RTT histograms, ping and failure counters (loss =
// failures / attempts) and location (peer-series.ts, compact at thousands of peers), and through
// prom-client the schedule misses, peer counts, sink delivery, ICMP sweeps and the process's own
// stats.
import { Readable } from 'node:stream';
import { Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from './prom-client-parts.js';
import type { SlotStats } from '../http/pinger.js';
import type { AutoMeshStats } from '../mesh/auto-mesh.js';
import type { SweepSchedulerStats } from '../icmp/sweep-scheduler.js';
import type { InventoryStats } from '../inventory/inventory-service.js';
import type { HttpResult } from '../results/http-result.js';
import type { ResultSink } from '../sinks/result-sink.js';
import type { TraceSchedulerStats } from '../trace/trace-scheduler.js';
import { PeerSeriesFamily } from './peer-series.js';

/** The collector's Prometheus/OpenMetrics registry and the series it keeps up to date. */
export class MeshMetrics {
  readonly registry = new Registry<OpenMetricsContentType>();
  private readonly peers = new PeerSeriesFamily();
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
  private schedule: () => SlotStats = () => ({ slots: 0, skipped: 0, late: 0, maxLateMs: 0 });
  private sinks: () => readonly ResultSink[] = () => [];
  private icmp: () => SweepSchedulerStats | null = () => null;
  private inventory: () => InventoryStats | null = () => null;
  private autoMesh: () => AutoMeshStats | null = () => null;
  private trace: () => TraceSchedulerStats | null = () => null;

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
    const icmpGauge = (name: string, help: string, read: (stats: SweepSchedulerStats) => number) =>
      this.scrapedGauge(() => this.icmp(), name, help, read);
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
    icmpGauge(
      'pingsphere_icmp_tx_stamp_fallbacks',
      'ICMP replies timed from the user-space send time because their kernel TX stamp was missing',
      (s) => s.txStampFallbacks,
    );
    const currentIcmp = () => this.icmp();
    new Gauge({
      name: 'pingsphere_icmp_timestamp_mode',
      help: 'How the last ICMP sweep timed its RTTs: 1 for its mode (hardware, software or user)',
      labelNames: ['mode'],
      registers: [this.registry],
      collect(this: Gauge<'mode'>) {
        const stats = currentIcmp();
        this.reset();
        if (stats?.timestampMode) this.set({ mode: stats.timestampMode }, 1);
      },
    });
    icmpGauge('pingsphere_icmp_targets', 'Addresses the latest ICMP sweep plan probes', (s) => s.targets);
    icmpGauge(
      'pingsphere_icmp_unresolved_hostnames',
      'Hostname targets with no address to probe (lookups are retried)',
      (s) => s.unresolved,
    );
    this.inventoryGauges();
    this.traceGauges();
    this.autoMeshGauges();
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    collectDefaultMetrics({ register: this.registry, prefix: 'pingsphere_' });
  }

  /**
   * A gauge set at scrape time from `source`'s figures (none while the source has none: the
   * collector sweeps nothing).
   */
  private scrapedGauge<T>(source: () => T | null, name: string, help: string, read: (stats: T) => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect(this: Gauge) {
        const stats = source();
        if (stats) this.set(read(stats));
      },
    });
  }

  /** --auto-mesh's gauges, read at scrape time (absent without --auto-mesh). */
  private autoMeshGauges(): void {
    const gauge = (name: string, help: string, read: (stats: AutoMeshStats) => number) =>
      this.scrapedGauge(() => this.autoMesh(), name, help, read);
    gauge('pingsphere_automesh_rounds', 'Discovery rounds completed (--mesh-interval)', (s) => s.rounds);
    gauge('pingsphere_automesh_lists_read', "Peers' /v1/peers lists read by discovery", (s) => s.listsRead);
    gauge('pingsphere_automesh_list_errors', 'Peer lists discovery could not read or parse', (s) => s.listErrors);
    gauge('pingsphere_automesh_added', 'Peers added by discovery', (s) => s.added);
    const current = () => this.autoMesh();
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

  /** The target inventory's gauges. */
  private inventoryGauges(): void {
    const gauge = (name: string, help: string, read: (stats: InventoryStats) => number) =>
      this.scrapedGauge(() => this.inventory(), name, help, read);
    gauge(
      'pingsphere_targets_entries',
      'ICMP target entries (addresses, ranges, hostnames) in the inventory',
      (s) => s.entries,
    );
    gauge(
      'pingsphere_targets_file_bad_lines',
      'Lines of the targets file skipped at its last read (GET /v1/targets lists them)',
      (s) => s.fileErrors,
    );
    gauge(
      'pingsphere_targets_file_warnings',
      'Lines of the targets file loaded with a warning at its last read',
      (s) => s.fileWarnings,
    );
    gauge('pingsphere_targets_file_reloads', 'Reads of the targets file that changed the list', (s) => s.fileReloads);
    gauge('pingsphere_targets_dns_failures', 'Failed hostname lookups of ICMP targets', (s) => s.dnsFailures);
    gauge('pingsphere_targets_api_entries', 'Targets added or relabelled through /v1/targets', (s) => s.apiPuts);
    gauge(
      'pingsphere_targets_api_hidden',
      'File or --targets-from targets removed through /v1/targets',
      (s) => s.apiDeletes,
    );
    const sync = (name: string, help: string, read: (stats: NonNullable<InventoryStats['sync']>) => number) =>
      gauge(name, help, (s) => (s.sync ? read(s.sync) : 0));
    sync('pingsphere_targets_from_pulls', '--targets-from pulls made', (s) => s.pulls);
    sync('pingsphere_targets_from_unchanged', '--targets-from pulls answered 304 (list unchanged)', (s) => s.unchanged);
    sync(
      'pingsphere_targets_from_failures',
      '--targets-from pulls that failed (the last list is kept)',
      (s) => s.failures,
    );
    sync('pingsphere_targets_from_taken', 'Targets taken from the last --targets-from list', (s) => s.taken);
    sync(
      'pingsphere_targets_from_not_allowed',
      'Targets of the last --targets-from list outside --targets-allow (left out)',
      (s) => s.notAllowed,
    );
    sync('pingsphere_targets_from_capped', '1 when the last --targets-from list was cut at --targets-max', (s) =>
      s.capped ? 1 : 0,
    );
  }

  /** --trace-on-change / --trace-interval's gauges (absent without tracing). */
  private traceGauges(): void {
    const gauge = (name: string, help: string, read: (stats: TraceSchedulerStats) => number) =>
      this.scrapedGauge(() => this.trace(), name, help, read);
    gauge('pingsphere_trace_pairs', 'Pairs the trace trigger watches', (s) => s.pairs);
    gauge('pingsphere_trace_triggers', 'Pairs that degraded and were queued for a trace', (s) => s.triggers);
    gauge(
      'pingsphere_trace_held_off',
      'Degradations not traced: the pair was traced within --trace-holdoff',
      (s) => s.heldOff,
    );
    gauge('pingsphere_trace_runs', 'Trace engine runs completed', (s) => s.runs);
    gauge('pingsphere_trace_failed_runs', 'Trace engine runs that failed (the log says why)', (s) => s.failedRuns);
    gauge('pingsphere_trace_traces', 'Traces (target and flow) stored', (s) => s.traces);
    gauge(
      'pingsphere_trace_path_changes',
      'Traces whose hop list differed from the previous one',
      (s) => s.pathChanges,
    );
    gauge('pingsphere_trace_queued', 'Triggered traces waiting for the engine', (s) => s.queued);
    gauge('pingsphere_trace_dropped', 'Triggered traces dropped because the queue was full', (s) => s.dropped);
  }

  /** Where the trace gauges read from (none without tracing). */
  readTrace(source: () => TraceSchedulerStats | null): void {
    this.trace = source;
  }

  /** Where the inventory gauges read from (none when the collector sweeps nothing). */
  readInventory(source: () => InventoryStats | null): void {
    this.inventory = source;
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
    this.peers.observe({
      peer: result.dst,
      ok: result.ok,
      connectSeconds: result.connectMs / 1000,
      requestSeconds: result.totalMs / 1000,
      error: result.error,
      location: result.dstLoc,
    });
  }

  /** Drops the info series of a peer that is no longer pinged (its counters stay, as counters do). */
  forgetPeer(url: string): void {
    this.peers.forget(url);
  }

  /**
   * The exposition and its content type. The body streams: the per-peer families are written a
   * few hundred peers at a time, so a scrape of thousands of peers neither holds its whole text
   * nor blocks the pingers' event loop while it is written.
   */
  async render(): Promise<{ contentType: string; body: Readable }> {
    const global = await this.registry.metrics();
    const peers = this.peers;
    function* exposition(): Generator<string> {
      yield global.replace(/# EOF\n?$/, '');
      yield* peers.text();
      yield '# EOF\n';
    }
    return { contentType: this.registry.contentType, body: Readable.from(exposition()) };
  }
}
