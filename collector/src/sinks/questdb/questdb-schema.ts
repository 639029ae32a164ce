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

/** The DDL, in order, with the TTL clause filled in. */
export function schemaStatements(options: SchemaOptions = {}): string[] {
  const ttl = options.ttlDays === undefined ? '' : ` TTL ${options.ttlDays} DAYS`;
  const statements = [icmpTable, ...addedColumns, httpTable, icmpSweepTable, icmpRollup, httpRollup].map((sql) =>
    sql.replace('{ttl}', ttl),
  );
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
