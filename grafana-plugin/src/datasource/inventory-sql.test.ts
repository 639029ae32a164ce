// The inventory views' SQL, as text: which roll-up a range reads, what is refused and why. That the
// statements compute the right numbers is checked against a real QuestDB holding the 100,000-target
// fixture (test/live/views.test.ts).
import { describe, expect, it } from 'vitest';
import {
  buildFocusSql,
  buildGroupMatrixSql,
  buildGroupTargetsSql,
  buildInventorySql,
  buildInventoryVariableSql,
  buildWorstTargetsSql,
} from './inventory-sql';
import type { QueryContext } from './sql';
import type { PingSphereQuery } from './types';

const hour = 3_600_000;
const toMs = Date.parse('2026-12-01T12:00:00Z');
const context = (hours: number): QueryContext => ({
  fromMs: toMs - hours * hour,
  toMs,
  intervalMs: 60_000,
  timeZone: 'UTC',
  rollupMinRangeHours: 6,
});
const query = (patch: Partial<PingSphereQuery>): PingSphereQuery => ({
  refId: 'A',
  family: 'icmp',
  stat: 'avg',
  groupBy: [],
  format: 'table',
  ...patch,
});

describe('inventory views SQL', () => {
  it('reads icmp_group_1m below a day and icmp_group_1h from a day on (or the datasource setting)', () => {
    expect(buildGroupMatrixSql(query({}), context(1)).table).toBe('icmp_group_1m');
    expect(buildGroupMatrixSql(query({}), context(23.9)).table).toBe('icmp_group_1m');
    expect(buildGroupMatrixSql(query({}), context(24)).table).toBe('icmp_group_1h');
    expect(buildGroupMatrixSql(query({}), { ...context(2), hourlyMinRangeHours: 2 }).table).toBe('icmp_group_1h');
  });

  it('combines the buckets exactly (reply-weighted average) and takes the down count from the latest bucket', () => {
    const { sql } = buildGroupMatrixSql(query({ filters: { src: ["fra'1"] } }), context(1));
    expect(sql).toContain('sum(rtt_avg * replies) / sum(replies) value');
    expect(sql).toContain('LATEST ON ts PARTITION BY src, group_key');
    expect(sql).toContain("src IN ('fra''1')");
    expect(sql).toContain("ts >= '2026-12-01T11:00:00.000Z' AND ts < '2026-12-01T12:00:00.000Z'");
  });

  it('refuses percentiles over the group roll-ups, naming the statistics it can give', () => {
    expect(() => buildGroupMatrixSql(query({ stat: 'p50' }), context(1))).toThrow(/avg, min, max, loss_pct or samples/);
  });

  it('reads per-target rows raw for short ranges and from icmp_1h from "Roll-ups from" hours on', () => {
    expect(buildWorstTargetsSql(query({}), context(1)).table).toBe('icmp');
    expect(buildWorstTargetsSql(query({}), context(6)).table).toBe('icmp_1h');
    expect(buildGroupTargetsSql(query({ group: 'edge' }), context(1)).table).toBe('icmp');
    expect(buildFocusSql(query({ target: '198.18.0.1' }), context(12)).table).toBe('icmp_1h');
    expect(buildFocusSql(query({ group: 'edge' }), context(1)).table).toBe('icmp_group_1m');
  });

  it('ranks worst targets inside QuestDB with their worst collector, and checks the limit', () => {
    const { sql } = buildWorstTargetsSql(query({ stat: 'loss_pct', limit: 5, group: 'edge' }), context(1));
    expect(sql).toContain('row_number() OVER (PARTITION BY dst ORDER BY value DESC, loss_pct DESC) worst_rank');
    expect(sql).toContain("WHERE r.worst_rank = 1 AND t.group_key = 'edge' ORDER BY value DESC, loss_pct DESC LIMIT 5");
    expect(() => buildWorstTargetsSql(query({ limit: 0 }), context(1))).toThrow(/limit 0 is not a whole number/);
    expect(() => buildWorstTargetsSql(query({ stat: 'p99' }), context(1))).toThrow(/pick avg, max or loss_pct/);
  });

  it('asks for a group or target where one is needed, and for the ICMP family', () => {
    expect(() => buildGroupTargetsSql(query({}), context(1))).toThrow(/needs a group: set it in the query/);
    expect(() => buildFocusSql(query({}), context(1))).toThrow(/needs a target or group/);
    expect(() => buildInventorySql(query({ queryType: 'icmp_groups', family: 'http' }), context(1))).toThrow(
      /set the family to icmp/,
    );
    expect(() => buildGroupMatrixSql(query({}), { ...context(1), toMs: context(1).fromMs })).toThrow(/range is empty/);
  });

  it('lists the inventory’s groups and a group’s targets for variables', () => {
    expect(buildInventoryVariableSql('group')).toBe(
      'SELECT DISTINCT group_key FROM targets WHERE removed = false ORDER BY 1',
    );
    expect(buildInventoryVariableSql('target', "a'b")).toContain("AND group_key = 'a''b' ORDER BY 1");
  });
});
