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
 * Grafana's `queryType`: what the query asks. `pairs` (also when absent, as saved before 0.3) is the
 * source × destination query of `family`; the others read ICMP's target inventory (the `targets`
 * table and its roll-ups): `icmp_groups` a cell per (collector, target group), `icmp_group_targets`
 * the targets of one group, `icmp_worst_targets` the N worst targets, `icmp_focus` every collector
 * towards one target or one group (the target-centric map).
 */
export type QueryType = 'pairs' | 'icmp_groups' | 'icmp_group_targets' | 'icmp_worst_targets' | 'icmp_focus';

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
  queryType?: QueryType;
  /** Group key (`targets.group_key`) for icmp_group_targets, icmp_focus and icmp_worst_targets; may be a variable. */
  group?: string;
  /** Target address for icmp_focus (beats `group`); may be a variable. */
  target?: string;
  /** How many targets icmp_worst_targets returns (default 20). */
  limit?: number;
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
  /** `group` lists the inventory's group keys; `target` its addresses (of `group` when set). */
  dimension: Dimension | 'group' | 'target';
  group?: string;
}

/** Datasource settings; the QuestDB URL itself is the datasource URL (Grafana's data proxy). */
export interface PingSphereOptions extends DataSourceJsonData {
  /** Use the per-minute roll-ups for ranges at least this long (hours). */
  rollupMinRangeHours?: number;
  /** Inventory views read the hourly roll-ups (icmp_group_1h, icmp_1h) for ranges at least this long (hours). */
  hourlyMinRangeHours?: number;
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

export const queryTypeLabels: Record<QueryType, string> = {
  pairs: 'Pairs (source → destination)',
  icmp_groups: 'ICMP by group',
  icmp_group_targets: 'ICMP targets of a group',
  icmp_worst_targets: 'ICMP worst targets',
  icmp_focus: 'ICMP towards one target or group',
};
