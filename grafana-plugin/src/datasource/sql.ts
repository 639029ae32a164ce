// Builds QuestDB SQL from the saved query model. Pure: the datasource interpolates template
// variables first and hands over plain values, so every string that reaches SQL goes through
// `quote()` here and nowhere else.
import { QueryError } from './query-error';
import type { Dimension, Family, Format, HttpPhase, PingSphereQuery, Source, Stat } from './types';

/** What a query needs from the dashboard: the range, the interval and the time zone. */
export interface QueryContext {
  fromMs: number;
  toMs: number;
  /** The dashboard's interval for this panel (Grafana's `$__interval_ms`). */
  intervalMs: number;
  /** IANA zone the buckets are aligned to (the dashboard's zone), e.g. "Europe/Paris" or "UTC". */
  timeZone: string;
  /** Ranges at least this long read the roll-ups when the statistic allows it. */
  rollupMinRangeHours: number;
  /** Group views (icmp_groups, icmp_focus on a group) read the hourly roll-up from this range on (default 24 h). */
  hourlyMinRangeHours?: number;
}

/** A built statement and what it reads, for the query inspector and the tests. */
export interface BuiltSql {
  sql: string;
  table: 'icmp' | 'http' | 'icmp_1m' | 'http_1m';
  /** SAMPLE BY unit for time series, e.g. "5m"; undefined for tables. */
  bucket?: string;
  /** Columns that identify a row or series (GROUP BY keys). */
  keys: Dimension[];
  /** Location columns selected as attributes of their node (last known value), not as keys. */
  attributes: Dimension[];
}

/**
 * When a query groups by a node and its location (src with src_loc, dst with dst_loc), the
 * location is an attribute of the node, not a key: an HTTP collector learns a peer's location from
 * its first reply, so early rows have none, and grouping by it would split the pair in two.
 */
export function splitDimensions(groupBy: Dimension[]): { keys: Dimension[]; attributes: Dimension[] } {
  const dims = [...new Set(groupBy)];
  const attributes = dims.filter(
    (d) => (d === 'src_loc' && dims.includes('src')) || (d === 'dst_loc' && dims.includes('dst')),
  );
  return { keys: dims.filter((d) => !attributes.includes(d)), attributes };
}

/**
 * Value expressions over raw rows. HTTP timings count successful requests only: a failed one has
 * zeros for the stages it never reached, which would drag percentiles down (loss counts failures).
 */
function rawStat(family: Family, stat: Stat, phase: HttpPhase): string {
  const column = family === 'icmp' ? 'rtt_ms' : `case when ok then ${phase}_ms end`;
  switch (stat) {
    case 'p50':
      return `approx_percentile(${column}, 0.5, 3)`;
    case 'p90':
      return `approx_percentile(${column}, 0.9, 3)`;
    case 'p99':
      return `approx_percentile(${column}, 0.99, 3)`;
    case 'avg':
    case 'min':
    case 'max':
      return `${stat}(${column})`;
    case 'loss_pct':
      return family === 'icmp'
        ? '100.0 * (count() - count(rtt_ms)) / count()'
        : '100.0 * (count() - sum(case when ok then 1 else 0 end)) / count()';
    case 'samples':
      return 'count()';
  }
}

/**
 * Value expressions over the per-minute roll-ups, only where combining minutes gives exactly what
 * the raw rows would (percentiles cannot be merged; HTTP averages cover successful requests, so
 * they are re-weighted by `ok_count`). Undefined = read the raw table.
 */
function rollupStat(family: Family, stat: Stat, phase: HttpPhase): string | undefined {
  if (family === 'icmp') {
    return {
      avg: 'sum(rtt_avg * replies) / sum(replies)',
      min: 'min(rtt_min)',
      max: 'max(rtt_max)',
      loss_pct: '100.0 * (sum(probes) - sum(replies)) / sum(probes)',
      samples: 'sum(probes)',
    }[stat as string];
  }
  if (stat === 'loss_pct') return '100.0 * (sum(requests) - sum(ok_count)) / sum(requests)';
  if (stat === 'samples') return 'sum(requests)';
  if (phase === 'connect' && (stat === 'min' || stat === 'max')) return `${stat}(connect_${stat})`;
  if (stat === 'avg') return `sum(${phase}_avg * ok_count) / sum(ok_count)`;
  return undefined;
}

/** SQL expression of a dimension in the raw table (ICMP has no dst_loc: it comes from a join). */
function dimensionColumn(family: Family, dimension: Dimension): string {
  if (family === 'http' && dimension === 'dst') return 'dst_host';
  if (family === 'icmp' && dimension === 'dst_loc') return 'peer.loc';
  return dimension;
}

/** Quotes a value as a QuestDB string literal. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const intervalUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "30s", "5m", "1h", "500ms", "1d" into milliseconds. */
export function parseIntervalMs(text: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match || Number(match[1]) <= 0) {
    throw new QueryError(`interval "${text}" is not understood: write a whole number and a unit, e.g. 30s, 5m, 1h, 1d`);
  }
  return Number(match[1]) * intervalUnits[match[2]!]!;
}

/** QuestDB SAMPLE BY unit for a bucket length (largest whole unit; at least 1 ms). */
export function sampleByUnit(intervalMs: number): string {
  const ms = Math.max(1, Math.round(intervalMs));
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}T`;
}

function isoLiteral(ms: number): string {
  return quote(new Date(ms).toISOString());
}

function checkTimeZone(zone: string): string {
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) {
    throw new QueryError(`time zone "${zone}" is not an IANA zone name (e.g. Europe/Paris or UTC)`);
  }
  return zone;
}

/** Whether this query reads the roll-up, and with which value expression. */
function chooseSource(
  query: PingSphereQuery,
  context: QueryContext,
  bucketMs: number | undefined,
): { table: BuiltSql['table']; value: string } {
  const phase = query.phase ?? 'connect';
  const requested: Source = query.source ?? 'auto';
  const rollupValue = rollupStat(query.family, query.stat, phase);
  const dims = [...query.groupBy, ...Object.keys(query.filters ?? {})];
  // http_1m keeps the URL, not dst_host, so a per-peer HTTP query needs the raw rows.
  const rollupHasDims = query.family === 'icmp' || !dims.includes('dst');
  const tableExtras = query.format === 'table' ? [rollupStat(query.family, 'loss_pct', phase)] : [];
  const rollupPossible = rollupValue !== undefined && rollupHasDims && tableExtras.every((e) => e !== undefined);
  if (requested === 'rollup' && !rollupPossible) {
    throw new QueryError(
      `the per-minute roll-up cannot give ${query.stat}${query.family === 'http' ? ` of ${phase}` : ''} ` +
        `${rollupHasDims ? '' : 'per HTTP peer '}exactly: set the query's source to "raw" or "auto"`,
    );
  }
  const longRange = context.toMs - context.fromMs >= context.rollupMinRangeHours * 3_600_000;
  const coarse = bucketMs === undefined || bucketMs >= 60_000;
  const useRollup = rollupPossible && (requested === 'rollup' || (requested === 'auto' && longRange && coarse));
  return useRollup
    ? { table: query.family === 'icmp' ? 'icmp_1m' : 'http_1m', value: rollupValue! }
    : { table: query.family, value: rawStat(query.family, query.stat, phase) };
}

/** Builds the statement for one query (variables already interpolated into plain filter values). */
export function buildSql(query: PingSphereQuery, context: QueryContext): BuiltSql {
  if (!(context.toMs > context.fromMs))
    throw new QueryError('the time range is empty: pick a range that ends after it starts');
  const format: Format = query.format ?? 'time_series';
  const bucketMs =
    format === 'time_series' ? (query.interval ? parseIntervalMs(query.interval) : context.intervalMs) : undefined;
  const { table, value } = chooseSource(query, context, bucketMs);
  const rollup = table.endsWith('_1m');
  const phase = query.phase ?? 'connect';
  const column = (d: Dimension) =>
    rollup && d === 'dst_loc' && query.family === 'http' ? 'dst_loc' : dimensionColumn(query.family, d);
  const timeFilter = `ts >= ${isoLiteral(context.fromMs)} AND ts < ${isoLiteral(context.toMs)}`;
  const where = [timeFilter];
  for (const [dimension, values] of Object.entries(query.filters ?? {}) as [Dimension, string[]][]) {
    if (values.length > 0) where.push(`${column(dimension)} IN (${values.map(quote).join(', ')})`);
  }
  const dims = [...new Set(query.groupBy)];
  const { keys, attributes } = splitDimensions(dims);
  const needsPeerJoin = query.family === 'icmp' && (dims.includes('dst_loc') || 'dst_loc' in (query.filters ?? {}));
  // ICMP rows name the target only; its location is that of the collector with the same name, else
  // the one the target inventory gives it (the labelled targets file's loc=).
  const places =
    `SELECT host, first(loc) loc FROM (SELECT host, loc FROM ` +
    `(SELECT src::varchar host, src_loc::varchar loc FROM icmp WHERE ${timeFilter} LATEST ON ts PARTITION BY src) UNION ALL ` +
    `SELECT target host, loc::varchar loc FROM targets WHERE removed = false AND loc IS NOT NULL) GROUP BY host`;
  const from = needsPeerJoin ? `${table} LEFT JOIN (${places}) peer ON (dst = peer.host)` : table;
  const selected = dims.map((d) => (attributes.includes(d) ? `last_not_null(${column(d)}) ${d}` : `${column(d)} ${d}`));
  const values =
    format === 'table'
      ? [
          `${value} value`,
          `${rollup ? rollupStat(query.family, 'loss_pct', phase) : rawStat(query.family, 'loss_pct', phase)} loss_pct`,
          `${rollup ? rollupStat(query.family, 'samples', phase) : rawStat(query.family, 'samples', phase)} samples`,
        ]
      : [`${value} value`];
  if (format === 'table') {
    const sql = `SELECT ${[...selected, ...values].join(', ')} FROM ${from} WHERE ${where.join(' AND ')}`;
    return { sql: keys.length > 0 ? `${sql} ORDER BY ${keys.join(', ')}` : sql, table, keys, attributes };
  }
  const bucket = sampleByUnit(bucketMs!);
  const sql =
    `SELECT ts, ${[...selected, ...values].join(', ')} FROM ${from} WHERE ${where.join(' AND ')} ` +
    `SAMPLE BY ${bucket} ALIGN TO CALENDAR TIME ZONE ${quote(checkTimeZone(context.timeZone))} ORDER BY ts`;
  return { sql, table, bucket, keys, attributes };
}

/** SQL for a template variable: the distinct values of one dimension (locations included). */
export function buildVariableSql(family: Family, dimension: Dimension): string {
  if (family === 'icmp' && dimension === 'dst_loc') {
    // Targets carry no location of their own: the locations are those of the collectors.
    return 'SELECT DISTINCT src_loc FROM icmp ORDER BY 1';
  }
  const column = dimensionColumn(family, dimension);
  return `SELECT DISTINCT ${column} FROM ${family} ORDER BY 1`;
}
