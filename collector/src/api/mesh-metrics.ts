// /metrics in OpenMetrics text format: per-peer RTT histograms, ping and failure counters (loss =
// failures / attempts) and location (peer-series.ts, compact at thousands of peers), and through
// prom-client the schedule misses, peer counts, sink delivery, ICMP sweeps and the process's own
// stats.
import { Readable } from 'node:stream';
import { Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';
import type { SlotStats } from '../http/pinger.js';
import type { SweepSchedulerStats } from '../icmp/sweep-scheduler.js';
import type { HttpResult } from '../results/http-result.js';
import type { ResultSink } from '../sinks/result-sink.js';
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
    icmpGauge(
      'pingsphere_icmp_tx_stamp_fallbacks',
      'ICMP replies timed from the user-space send time because their kernel TX stamp was missing',
      (s) => s.txStampFallbacks,
    );
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
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    collectDefaultMetrics({ register: this.registry, prefix: 'pingsphere_' });
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
