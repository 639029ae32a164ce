import type { DataQuery, DataSourceJsonData } from '@grafana/data';

/** Probe family = QuestDB table: `icmp` (native sweeps) or `http` (the pingmesh-style mesh). */
export type Family = 'icmp' | 'http';

/** Statistic of a group of samples. `loss_pct` and `samples` ignore the HTTP phase. */
export type Stat = 'p50' | 'p90' | 'p99' | 'avg' | 'min' | 'max' | 'loss_pct' | 'samples';

/** HTTP timing phase (perftest's DnsLk, TcpHs, TlsHs, Reply, Total); `connect` is the RTT estimate. */
export type HttpPhase = 'dns' | 'connect' | 'tls' | 'ttfb' | 'total';

/** Columns a query can group by and filter on. For HTTP, `dst` is the peer's host (`dst_host`). */
export type Dimension = 'src' | 'dst' | 'src_loc' | 'dst_loc';

export type Format = 'time_series' | 'table';

/** Which table a query reads: raw rows, the per-minute roll-ups, or let the range decide. */
export type Source = 'auto' | 'raw' | 'rollup';

/**
 * The saved query model (documented in grafana-plugin/README.md; provisioned dashboards use it).
 * Filter values may hold template variables (`$collector`), multi-valued ones included.
 */
export interface PingSphereQuery extends DataQuery {
  family: Family;
  stat: Stat;
  phase?: HttpPhase;
  groupBy: Dimension[];
  filters?: Partial<Record<Dimension, string[]>>;
  format: Format;
  /** Bucket for time series, e.g. "1h"; empty = the dashboard's interval. */
  interval?: string;
  source?: Source;
}

export const defaultQuery: Omit<PingSphereQuery, 'refId'> = {
  family: 'icmp',
  stat: 'p50',
  phase: 'connect',
  groupBy: ['src', 'dst'],
  filters: {},
  format: 'time_series',
  source: 'auto',
};

/** Template-variable queries (`metricFindQuery`): the distinct values of one dimension. */
export interface PingSphereVariableQuery {
  family: Family;
  dimension: Dimension;
}

/** Datasource settings; the QuestDB URL itself is the datasource URL (Grafana's data proxy). */
export interface PingSphereOptions extends DataSourceJsonData {
  /** Use the per-minute roll-ups for ranges at least this long (hours). */
  rollupMinRangeHours?: number;
}

export const statLabels: Record<Stat, string> = {
  p50: 'p50',
  p90: 'p90',
  p99: 'p99',
  avg: 'average',
  min: 'minimum',
  max: 'maximum',
  loss_pct: 'loss %',
  samples: 'samples',
};

export const phaseLabels: Record<HttpPhase, string> = {
  dns: 'DNS',
  connect: 'TCP connect (RTT)',
  tls: 'TLS',
  ttfb: 'time to first byte',
  total: 'total',
};
