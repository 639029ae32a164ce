import { QuestDbSqlError, type QuestDbRest } from './questdb-rest.js';

/** Retention for raw rows and roll-ups; undefined keeps everything. */
export interface SchemaOptions {
  ttlDays?: number;
}

// The store of record (DESIGN.md). WAL + DEDUP UPSERT KEYS make a replayed batch harmless: the
// spool delivers at least once and QuestDB keeps each probe once. icmp.dst is VARCHAR, not the
// SYMBOL of DESIGN.md's starting schema: a sweep can hold a million distinct targets, and a
// symbol table that size made ingestion ~40 % slower here, on every sweep, not just the first.
const icmpTable = `CREATE TABLE IF NOT EXISTS icmp (
  ts TIMESTAMP, src SYMBOL, src_loc SYMBOL, dst VARCHAR, rtt_ms DOUBLE, seq LONG, flow SHORT
) TIMESTAMP(ts) PARTITION BY DAY{ttl} WAL DEDUP UPSERT KEYS(ts, src, dst, seq)`;

const httpTable = `CREATE TABLE IF NOT EXISTS http (
  ts TIMESTAMP, src SYMBOL, src_loc SYMBOL, dst SYMBOL, dst_host SYMBOL, dst_ip SYMBOL, dst_loc SYMBOL,
  status INT, dns_ms DOUBLE, connect_ms DOUBLE, tls_ms DOUBLE, ttfb_ms DOUBLE, close_ms DOUBLE, total_ms DOUBLE,
  size_bytes LONG, ok BOOLEAN, error SYMBOL
) TIMESTAMP(ts) PARTITION BY DAY{ttl} WAL DEDUP UPSERT KEYS(ts, src, dst)`;

// One row per ICMP sweep: how its RTTs were timed (timestamp_mode: hardware, software or user;
// tx_stamp_fallbacks: replies timed from the user send time because their kernel TX stamp was
// lost) and what it counted. Written by the collector's sweep scheduler after each sweep.
const icmpSweepTable = `CREATE TABLE IF NOT EXISTS icmp_sweep (
  ts TIMESTAMP, src SYMBOL, src_loc SYMBOL, timestamp_mode SYMBOL, socket_mode SYMBOL,
  targets LONG, probes LONG, replies LONG, lost LONG, tx_stamp_fallbacks LONG, senders LONG, flows LONG,
  rejected LONG, kernel_drops LONG, sweep_s DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY{ttl} WAL DEDUP UPSERT KEYS(ts, src)`;

// Traced paths (collector/src/trace/): one row per hop of each trace; a trace's hops share (ts, src,
// dst, flow). dst names the pair as the other tables do (ICMP target, HTTP peer host); dst_ip is the
// address traced. rtt_jump_ms and slow_hop say where added latency appears (the hop whose RTT rises
// most over the previous answering hop); path_change marks a trace whose hop list differs from the
// previous trace of (src, dst, flow) by this collector.
const pathTable = `CREATE TABLE IF NOT EXISTS path (
  ts TIMESTAMP, src SYMBOL, src_loc SYMBOL, dst VARCHAR, dst_ip VARCHAR, flow SHORT, hop SHORT, addr VARCHAR,
  sent INT, received INT, rtt_min DOUBLE, rtt_avg DOUBLE, rtt_max DOUBLE, loss DOUBLE, rtt_jump_ms DOUBLE,
  slow_hop BOOLEAN, reached BOOLEAN, path_change BOOLEAN, reason SYMBOL
) TIMESTAMP(ts) PARTITION BY DAY{ttl} WAL DEDUP UPSERT KEYS(ts, src, dst, flow, hop)`;

// Per-minute roll-ups, maintained incrementally by QuestDB, for long dashboard ranges.
const icmpRollup = `CREATE MATERIALIZED VIEW IF NOT EXISTS icmp_1m AS (
  SELECT ts, src, src_loc, dst, count() probes, count(rtt_ms) replies,
    avg(rtt_ms) rtt_avg, min(rtt_ms) rtt_min, max(rtt_ms) rtt_max,
    approx_percentile(rtt_ms, 0.5, 3) rtt_p50, approx_percentile(rtt_ms, 0.9, 3) rtt_p90,
    approx_percentile(rtt_ms, 0.99, 3) rtt_p99
  FROM icmp SAMPLE BY 1m
) PARTITION BY DAY{ttl}`;

// Timings over successful requests only: a failed request has zeros for the stages it never
// reached. Failures are in requests - ok_count.
const httpRollup = `CREATE MATERIALIZED VIEW IF NOT EXISTS http_1m AS (
  SELECT ts, src, src_loc, dst, dst_loc, count() requests, sum(case when ok then 1 else 0 end) ok_count,
    avg(case when ok then dns_ms end) dns_avg, avg(case when ok then connect_ms end) connect_avg,
    avg(case when ok then tls_ms end) tls_avg, avg(case when ok then ttfb_ms end) ttfb_avg,
    avg(case when ok then total_ms end) total_avg,
    min(case when ok then connect_ms end) connect_min, max(case when ok then connect_ms end) connect_max,
    approx_percentile(case when ok then connect_ms end, 0.5, 3) connect_p50,
    approx_percentile(case when ok then connect_ms end, 0.99, 3) connect_p99,
    approx_percentile(case when ok then total_ms end, 0.5, 3) total_p50,
    approx_percentile(case when ok then total_ms end, 0.99, 3) total_p99
  FROM http SAMPLE BY 1m
) PARTITION BY DAY{ttl}`;

// Columns added after the first release: tables made by an older version get them here (before
// any row arrives, so ILP does not create them with its own types).
const addedColumns = ['ALTER TABLE icmp ADD COLUMN IF NOT EXISTS flow SHORT'];
// The target inventory (collector/src/inventory/targets-table-writer.ts keeps it current): one row
// per (collector, probed address), upserted in place — first_seen is the designated timestamp and
// stays fixed for the pair, so DEDUP makes every rewrite replace the row. group_key is what views
// group by: the group label, else the location, else the /24 (IPv4) or /48 (IPv6) prefix. The targets
// writer creates it on its own (the sink creates everything, the views that join it included).
export const targetsTable = `CREATE TABLE IF NOT EXISTS targets (
  first_seen TIMESTAMP, src SYMBOL, target VARCHAR, spec VARCHAR, name VARCHAR, "group" SYMBOL, group_key SYMBOL,
  loc SYMBOL, lat DOUBLE, lon DOUBLE, labels VARCHAR, last_seen TIMESTAMP, removed BOOLEAN
) TIMESTAMP(first_seen) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(first_seen, src, target)`;

// Roll-ups that shrink at scale (icmp_1m is per target per minute: as large as the raw table at one
// probe a minute). Hourly views refresh once per closed hour (PERIOD), not on every commit, so a
// refresh reads each hour of raw rows once; late rows (a replayed spool) refresh their hour again.
// Per-target views carry no percentiles: approx_percentile keeps a histogram per group, and a
// histogram for each of a million targets ran QuestDB out of heap (100,000 targets × 3 sources
// already exhausted 1 GB); at one probe a minute a target's hour has 60 samples, and its max says
// what its p99 would. Percentiles live in the per-group views.
const icmpHourly = `CREATE MATERIALIZED VIEW IF NOT EXISTS icmp_1h REFRESH PERIOD (SAMPLE BY INTERVAL) AS (
  SELECT ts, src, src_loc, dst, count() probes, count(rtt_ms) replies,
    avg(rtt_ms) rtt_avg, min(rtt_ms) rtt_min, max(rtt_ms) rtt_max
  FROM icmp SAMPLE BY 1h
) PARTITION BY DAY{ttlHourly}`;

// Per target per day, from the hourly view (averages weighted by replies).
const icmpDaily = `CREATE MATERIALIZED VIEW IF NOT EXISTS icmp_1d AS (
  SELECT ts, src, src_loc, dst, sum(probes) probes, sum(replies) replies,
    sum(rtt_avg * replies) / sum(replies) rtt_avg, min(rtt_min) rtt_min, max(rtt_max) rtt_max
  FROM icmp_1h SAMPLE BY 1d
) PARTITION BY MONTH{ttlDaily}`;

// Per (collector, group) per minute: 200 groups instead of a million targets. targets_up counts
// targets that answered at least once in the minute (targets - targets_up are down).
const icmpGroupMinute = `CREATE MATERIALIZED VIEW IF NOT EXISTS icmp_group_1m WITH BASE icmp REFRESH PERIOD (SAMPLE BY INTERVAL) AS (
  SELECT i.ts, i.src, i.src_loc, t.group_key, count() probes, count(i.rtt_ms) replies,
    count_distinct(i.dst) targets, count_distinct(case when i.rtt_ms is not null then i.dst end) targets_up,
    avg(i.rtt_ms) rtt_avg, min(i.rtt_ms) rtt_min, max(i.rtt_ms) rtt_max,
    approx_percentile(i.rtt_ms, 0.5, 3) rtt_p50, approx_percentile(i.rtt_ms, 0.9, 3) rtt_p90,
    approx_percentile(i.rtt_ms, 0.99, 3) rtt_p99
  FROM icmp i LEFT JOIN targets t ON i.src = t.src AND i.dst = t.target
  SAMPLE BY 1m
) PARTITION BY DAY{ttl}`;

// Per (collector, group) per hour, from the hourly per-target view: targets_up answered at least
// once in the hour; avg_pNN are percentiles over the group's targets of their hourly average RTT
// ("90 % of the group's targets averaged below avg_p90").
const icmpGroupHourly = `CREATE MATERIALIZED VIEW IF NOT EXISTS icmp_group_1h WITH BASE icmp_1h AS (
  SELECT h.ts, h.src, h.src_loc, t.group_key, count() targets, sum(case when h.replies > 0 then 1 else 0 end) targets_up,
    sum(h.probes) probes, sum(h.replies) replies, sum(h.rtt_avg * h.replies) / sum(h.replies) rtt_avg,
    min(h.rtt_min) rtt_min, max(h.rtt_max) rtt_max,
    approx_percentile(h.rtt_avg, 0.5, 3) avg_p50, approx_percentile(h.rtt_avg, 0.9, 3) avg_p90,
    approx_percentile(h.rtt_avg, 0.99, 3) avg_p99
  FROM icmp_1h h LEFT JOIN targets t ON h.src = t.src AND h.dst = t.target
  SAMPLE BY 1h
) PARTITION BY MONTH{ttlHourly}`;

/** Retention of the inventory's roll-ups for a raw TTL: hourly ones keep a month, the daily one a year, at least. */
function inventoryTtls(ttlDays: number | undefined): { hourly?: number; daily?: number } {
  return ttlDays === undefined ? {} : { hourly: Math.max(ttlDays, 31), daily: Math.max(ttlDays, 400) };
}

/** The inventory's table and roll-ups (after icmp and icmp_1m: the views read them). */
function inventoryStatements(ttlDays: number | undefined): string[] {
  const { hourly, daily } = inventoryTtls(ttlDays);
  const clause = (days: number | undefined) => (days === undefined ? '' : ` TTL ${days} DAYS`);
  const fill = (sql: string) =>
    sql.replace('{ttl}', clause(ttlDays)).replace('{ttlHourly}', clause(hourly)).replace('{ttlDaily}', clause(daily));
  const statements = [targetsTable, icmpHourly, icmpDaily, icmpGroupMinute, icmpGroupHourly].map(fill);
  if (ttlDays !== undefined) {
    statements.push(
      `ALTER MATERIALIZED VIEW icmp_group_1m SET TTL ${ttlDays} DAYS`,
      `ALTER MATERIALIZED VIEW icmp_1h SET TTL ${hourly} DAYS`,
      `ALTER MATERIALIZED VIEW icmp_group_1h SET TTL ${hourly} DAYS`,
      `ALTER MATERIALIZED VIEW icmp_1d SET TTL ${daily} DAYS`,
    );
  }
  return statements;
}

/** The DDL, in order, with the TTL clause filled in. */
export function schemaStatements(options: SchemaOptions = {}): string[] {
  const ttl = options.ttlDays === undefined ? '' : ` TTL ${options.ttlDays} DAYS`;
  const statements = [icmpTable, ...addedColumns, httpTable, icmpSweepTable, icmpRollup, httpRollup].map((sql) =>
    sql.replace('{ttl}', ttl),
  );
  statements.push(...inventoryStatements(options.ttlDays));
  statements.push(pathTable.replace('{ttl}', ttl));
  if (options.ttlDays !== undefined) statements.push(`ALTER TABLE path SET TTL ${options.ttlDays} DAYS`);
  if (options.ttlDays !== undefined) {
    // CREATE ... IF NOT EXISTS leaves older tables as they were: apply a changed TTL explicitly.
    for (const table of ['icmp', 'http', 'icmp_sweep']) {
      statements.push(`ALTER TABLE ${table} SET TTL ${options.ttlDays} DAYS`);
    }
    for (const view of ['icmp_1m', 'http_1m'])
      statements.push(`ALTER MATERIALIZED VIEW ${view} SET TTL ${options.ttlDays} DAYS`);
  }
  return statements;
}

/**
 * Creates PingSphere's tables and roll-ups if they are missing. A statement QuestDB refuses (say,
 * a table made by hand with other columns) does not stop ingestion: it is returned as a problem
 * to report. Not reaching QuestDB at all rejects.
 */
export async function ensureSchema(rest: QuestDbRest, options: SchemaOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  for (const sql of schemaStatements(options)) {
    try {
      await rest.exec(sql);
    } catch (error) {
      if (!(error instanceof QuestDbSqlError)) throw error;
      problems.push(`${error.message} [${sql.split('\n')[0]}…]`);
    }
  }
  return problems;
}
