// SQL of the views over ICMP's target inventory (README "Views at inventory scale"): the group
// matrix, a group's targets, the worst targets and the target-centric map. Every statement
// aggregates inside QuestDB, from the roll-ups the collector maintains (icmp_group_1m and
// icmp_group_1h per collector and group, icmp_1h per collector and target), so what reaches the
// browser is one row per cell: 200 groups × a few collectors, never a million targets. Pure, like
// sql.ts: values are interpolated before and quoted here.
import { QueryError } from './query-error';
import { quote, type QueryContext } from './sql';
import type { PingSphereQuery, QueryType, Stat } from './types';

/** Tables the inventory views read. */
export type InventoryTable = 'icmp' | 'icmp_1h' | 'icmp_group_1m' | 'icmp_group_1h';

export interface BuiltInventorySql {
  sql: string;
  table: InventoryTable;
}

/** Default of the datasource's `hourlyMinRangeHours`: group views read icmp_group_1h from this range on. */
export const defaultHourlyMinRangeHours = 24;

/** Statistics that combine exactly across the roll-ups' buckets (percentiles do not). */
const rollupStats: Partial<Record<Stat, string>> = {
  avg: 'sum(rtt_avg * replies) / sum(replies)',
  min: 'min(rtt_min)',
  max: 'max(rtt_max)',
  loss_pct: '100.0 * (sum(probes) - sum(replies)) / sum(probes)',
  samples: 'sum(probes)',
};

const rawStats: Record<Stat, string> = {
  p50: 'approx_percentile(rtt_ms, 0.5, 3)',
  p90: 'approx_percentile(rtt_ms, 0.9, 3)',
  p99: 'approx_percentile(rtt_ms, 0.99, 3)',
  avg: 'avg(rtt_ms)',
  min: 'min(rtt_ms)',
  max: 'max(rtt_ms)',
  loss_pct: '100.0 * (count() - count(rtt_ms)) / count()',
  samples: 'count()',
};

/** value, loss_pct and samples over the rows of `table` (raw icmp or one of the roll-ups). */
function valueColumns(table: InventoryTable, stat: Stat, what: string): string {
  if (table === 'icmp') return `${rawStats[stat]} value, ${rawStats.loss_pct} loss_pct, ${rawStats.samples} samples`;
  const value = rollupStats[stat];
  if (!value) {
    throw new QueryError(
      `${what} reads the roll-ups, which give avg, min, max, loss_pct or samples exactly; ${stat} cannot be ` +
        'combined across their buckets: pick one of those statistics (max says what a high percentile would)',
    );
  }
  return `${value} value, ${rollupStats.loss_pct} loss_pct, ${rollupStats.samples} samples`;
}

function timeFilter(context: QueryContext, column = 'ts'): string {
  if (!(context.toMs > context.fromMs)) {
    throw new QueryError('the time range is empty: pick a range that ends after it starts');
  }
  const iso = (ms: number) => quote(new Date(ms).toISOString());
  return `${column} >= ${iso(context.fromMs)} AND ${column} < ${iso(context.toMs)}`;
}

const rangeHours = (context: QueryContext) => (context.toMs - context.fromMs) / 3_600_000;

/** The group roll-up for the range: per minute, or per hour from `hourlyMinRangeHours` on. */
export function groupTable(context: QueryContext): 'icmp_group_1m' | 'icmp_group_1h' {
  return rangeHours(context) >= (context.hourlyMinRangeHours ?? defaultHourlyMinRangeHours)
    ? 'icmp_group_1h'
    : 'icmp_group_1m';
}

/** Per-target rows for the range: raw, or icmp_1h from the datasource's "Roll-ups from" hours on. */
export function targetTable(context: QueryContext): 'icmp' | 'icmp_1h' {
  return rangeHours(context) >= context.rollupMinRangeHours ? 'icmp_1h' : 'icmp';
}

/** `AND src IN (…)` when the query filters collectors. */
function sourceFilter(query: PingSphereQuery, column = 'src'): string {
  const sources = query.filters?.src ?? [];
  return sources.length > 0 ? ` AND ${column} IN (${sources.map(quote).join(', ')})` : '';
}

/**
 * The place of a group: its targets' location when they share one; none when they are spread over
 * several (a "web" group in nine cities has no single place to draw or sort it by).
 */
const groupPlace = 'CASE WHEN count_distinct(loc) = 1 THEN first(loc) END';

/** The inventory's current targets: one row per (collector, target), removed ones left out. */
const currentTargets = 'targets WHERE removed = false';
const currentTargetsQuery = `SELECT src, target, name, "group", group_key, loc FROM ${currentTargets}`;

/**
 * ICMP by group: a row per (collector, group) with the statistic over the group's targets (dst =
 * the group key, dst_loc = the location of its targets), `targets` (how many the collector's
 * inventory holds in the group) and `targets_down` (how many of those probed in the range's latest
 * bucket never answered in it).
 */
export function buildGroupMatrixSql(query: PingSphereQuery, context: QueryContext): BuiltInventorySql {
  const table = groupTable(context);
  const where = `${timeFilter(context)}${sourceFilter(query)}`;
  const sql =
    `WITH cell AS (SELECT src, group_key, last(src_loc) src_loc, ${valueColumns(table, query.stat, 'ICMP by group')} ` +
    `FROM ${table} WHERE ${where} GROUP BY src, group_key), ` +
    `recent AS (SELECT src, group_key, targets - targets_up down FROM ${table} WHERE ${where} ` +
    'LATEST ON ts PARTITION BY src, group_key), ' +
    `inventory AS (SELECT src, group_key, ${groupPlace} loc, count() targets FROM ${currentTargets} GROUP BY src, group_key) ` +
    'SELECT cell.src src, cell.group_key dst, cell.src_loc src_loc, inventory.loc dst_loc, cell.value value, ' +
    'cell.loss_pct loss_pct, cell.samples samples, inventory.targets targets, recent.down targets_down ' +
    'FROM cell LEFT JOIN recent ON cell.src = recent.src AND cell.group_key = recent.group_key ' +
    'LEFT JOIN inventory ON cell.src = inventory.src AND cell.group_key = inventory.group_key ' +
    'WHERE cell.group_key IS NOT NULL ORDER BY src, dst';
  return { sql, table };
}

/** Per-target rows of one group: src, dst (address), dst_name, group, locations and the statistic. */
export function buildGroupTargetsSql(query: PingSphereQuery, context: QueryContext): BuiltInventorySql {
  const group = requireValue(query.group, 'group', 'ICMP targets of a group');
  const table = targetTable(context);
  const sql =
    `WITH member AS (SELECT src, target, name, loc FROM ${currentTargets} AND group_key = ${quote(group)}), ` +
    `probe AS (SELECT i.src src, i.dst dst, last(i.src_loc) src_loc, ${valueColumns(table, query.stat, 'this range')} ` +
    `FROM ${table} i JOIN member ON i.src = member.src AND i.dst = member.target ` +
    `WHERE ${timeFilter(context, 'i.ts')}${sourceFilter(query, 'i.src')} GROUP BY i.src, i.dst) ` +
    `SELECT probe.src src, probe.dst dst, member.name dst_name, ${quote(group)} group_key, probe.src_loc src_loc, ` +
    'member.loc dst_loc, probe.value value, probe.loss_pct loss_pct, probe.samples samples ' +
    'FROM probe JOIN member ON probe.src = member.src AND probe.dst = member.target ORDER BY src, dst';
  return { sql, table };
}

/**
 * The N targets with the highest statistic (loss_pct ranks by loss), each with its name, group,
 * location and the collector that sees it worst (`worst_src`), ranked inside QuestDB.
 */
export function buildWorstTargetsSql(query: PingSphereQuery, context: QueryContext): BuiltInventorySql {
  const table = targetTable(context);
  const limit = query.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new QueryError(
      `limit ${String(query.limit)} is not a whole number from 1 to 10000: set how many targets to list`,
    );
  }
  if (table === 'icmp' && query.stat.startsWith('p')) {
    throw new QueryError(
      `ICMP worst targets ranks every target; a percentile per target (${query.stat}) needs a histogram each, ` +
        'too much at inventory scale: pick avg, max or loss_pct',
    );
  }
  const group = query.group ? ` AND t.group_key = ${quote(query.group)}` : '';
  const sql =
    `WITH probe AS (SELECT src, dst, ${valueColumns(table, query.stat, 'ICMP worst targets')} FROM ${table} ` +
    `WHERE ${timeFilter(context)}${sourceFilter(query)} GROUP BY src, dst), ` +
    'ranked AS (SELECT src, dst, value, loss_pct, samples, ' +
    'row_number() OVER (PARTITION BY dst ORDER BY value DESC, loss_pct DESC) worst_rank FROM probe WHERE value IS NOT NULL) ' +
    'SELECT r.dst target, t.name name, t."group" "group", t.group_key group_key, t.loc loc, r.src worst_src, ' +
    'r.value value, r.loss_pct loss_pct, r.samples samples ' +
    `FROM ranked r LEFT JOIN (${currentTargetsQuery}) t ON r.src = t.src AND r.dst = t.target ` +
    `WHERE r.worst_rank = 1${group} ORDER BY value DESC, loss_pct DESC LIMIT ${limit}`;
  return { sql, table };
}

/**
 * Every collector towards one target (or one group): src, src_loc, dst, dst_loc (the target's or
 * group's location, when the inventory has one) and the statistic — the target-centric map.
 */
export function buildFocusSql(query: PingSphereQuery, context: QueryContext): BuiltInventorySql {
  if (query.target) {
    const table = targetTable(context);
    const sql =
      `WITH probe AS (SELECT src, dst, last(src_loc) src_loc, ${valueColumns(table, query.stat, 'this range')} FROM ${table} ` +
      `WHERE ${timeFilter(context)} AND dst = ${quote(query.target)}${sourceFilter(query)} GROUP BY src, dst), ` +
      `place AS (SELECT target, ${groupPlace} loc FROM ${currentTargets} AND target = ${quote(query.target)} GROUP BY target) ` +
      'SELECT probe.src src, probe.dst dst, probe.src_loc src_loc, place.loc dst_loc, probe.value value, ' +
      'probe.loss_pct loss_pct, probe.samples samples FROM probe LEFT JOIN place ON probe.dst = place.target ORDER BY src';
    return { sql, table };
  }
  const group = requireValue(query.group, 'target or group', 'ICMP towards one target or group');
  const table = groupTable(context);
  const sql =
    `WITH probe AS (SELECT src, group_key, last(src_loc) src_loc, ${valueColumns(table, query.stat, 'ICMP towards a group')} ` +
    `FROM ${table} WHERE ${timeFilter(context)} AND group_key = ${quote(group)}${sourceFilter(query)} GROUP BY src, group_key), ` +
    `place AS (SELECT group_key, ${groupPlace} loc FROM ${currentTargets} AND group_key = ${quote(group)} GROUP BY group_key) ` +
    'SELECT probe.src src, probe.group_key dst, probe.src_loc src_loc, place.loc dst_loc, probe.value value, ' +
    'probe.loss_pct loss_pct, probe.samples samples FROM probe LEFT JOIN place ON probe.group_key = place.group_key ORDER BY src';
  return { sql, table };
}

function requireValue(value: string | undefined, name: string, what: string): string {
  if (!value)
    throw new QueryError(`${what} needs a ${name}: set it in the query (a dashboard variable such as $group works)`);
  return value;
}

/** The statement of an inventory query type. */
export function buildInventorySql(query: PingSphereQuery, context: QueryContext): BuiltInventorySql {
  if ((query.family ?? 'icmp') !== 'icmp') {
    throw new QueryError(`query type ${query.queryType} reads ICMP's target inventory: set the family to icmp`);
  }
  const builders: Record<Exclude<QueryType, 'pairs'>, typeof buildFocusSql> = {
    icmp_groups: buildGroupMatrixSql,
    icmp_group_targets: buildGroupTargetsSql,
    icmp_worst_targets: buildWorstTargetsSql,
    icmp_focus: buildFocusSql,
  };
  const builder = builders[query.queryType as Exclude<QueryType, 'pairs'>];
  if (!builder) throw new QueryError(`query type "${query.queryType}" is unknown: pick one from the query editor`);
  return builder(query, context);
}

/** SQL for the inventory's variables: its group keys, or its targets (of one group). */
export function buildInventoryVariableSql(dimension: 'group' | 'target', group?: string): string {
  if (dimension === 'group') return `SELECT DISTINCT group_key FROM ${currentTargets} ORDER BY 1`;
  const of = group ? ` AND group_key = ${quote(group)}` : '';
  return `SELECT DISTINCT target FROM ${currentTargets}${of} ORDER BY 1 LIMIT 10000`;
}
