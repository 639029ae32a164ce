import { describe, expect, it } from 'vitest';
import {
  buildSql,
  buildVariableSql,
  parseIntervalMs,
  quote,
  sampleByUnit,
  splitDimensions,
  type QueryContext,
} from './sql';
import type { PingSphereQuery } from './types';

const hour = 3_600_000;
const context: QueryContext = {
  fromMs: Date.UTC(2026, 10, 23, 10),
  toMs: Date.UTC(2026, 10, 23, 11),
  intervalMs: 15_000,
  timeZone: 'Europe/Paris',
  rollupMinRangeHours: 6,
};
const query = (patch: Partial<PingSphereQuery> = {}): PingSphereQuery => ({
  refId: 'A',
  family: 'icmp',
  stat: 'p50',
  groupBy: ['src', 'dst'],
  format: 'time_series',
  ...patch,
});

describe('buildSql', () => {
  it('samples an ICMP percentile by the dashboard interval, aligned to the dashboard time zone', () => {
    const built = buildSql(query(), context);
    expect(built.sql).toBe(
      "SELECT ts, src src, dst dst, approx_percentile(rtt_ms, 0.5, 3) value FROM icmp WHERE ts >= '2026-11-23T10:00:00.000Z' AND ts < '2026-11-23T11:00:00.000Z' SAMPLE BY 15s ALIGN TO CALENDAR TIME ZONE 'Europe/Paris' ORDER BY ts",
    );
    expect(built).toMatchObject({ table: 'icmp', bucket: '15s', keys: ['src', 'dst'], attributes: [] });
  });

  it('computes loss as the share of probes without a reply (ICMP) or without success (HTTP)', () => {
    expect(buildSql(query({ stat: 'loss_pct' }), context).sql).toContain(
      '100.0 * (count() - count(rtt_ms)) / count() value',
    );
    expect(buildSql(query({ family: 'http', stat: 'loss_pct' }), context).sql).toContain(
      '100.0 * (count() - sum(case when ok then 1 else 0 end)) / count() value',
    );
  });

  it('reads the chosen HTTP phase column and names the peer by its host', () => {
    const sql = buildSql(query({ family: 'http', stat: 'p99', phase: 'ttfb' }), context).sql;
    expect(sql).toContain('approx_percentile(case when ok then ttfb_ms end, 0.99, 3) value FROM http');
    expect(sql).toContain('dst_host dst');
  });

  it('adds loss and sample counts to tables, ordered by the keys, without SAMPLE BY', () => {
    const sql = buildSql(query({ format: 'table', stat: 'avg' }), context).sql;
    expect(sql).toMatch(
      /^SELECT src src, dst dst, avg\(rtt_ms\) value, .* loss_pct, count\(\) samples FROM icmp WHERE .* ORDER BY src, dst$/,
    );
    expect(sql).not.toContain('SAMPLE BY');
  });

  it('joins ICMP targets to the location of the collector with the same name, else the inventory’s', () => {
    const built = buildSql(query({ format: 'table', groupBy: ['src', 'dst', 'src_loc', 'dst_loc'] }), context);
    expect(built.sql).toContain('(SELECT src::varchar host, src_loc::varchar loc FROM icmp WHERE ts >= ');
    expect(built.sql).toContain('LATEST ON ts PARTITION BY src) UNION ALL SELECT target host');
    expect(built.sql).toContain('GROUP BY host) peer ON (dst = peer.host)');
    expect(built.sql).toContain('last_not_null(peer.loc) dst_loc');
  });

  it('treats a location grouped with its node as an attribute (last known), not a key', () => {
    expect(splitDimensions(['src', 'dst', 'src_loc', 'dst_loc'])).toEqual({
      keys: ['src', 'dst'],
      attributes: ['src_loc', 'dst_loc'],
    });
    expect(splitDimensions(['src_loc', 'dst_loc'])).toEqual({ keys: ['src_loc', 'dst_loc'], attributes: [] });
  });

  it('filters with quoted values, so a quote in a value cannot end the string', () => {
    const sql = buildSql(query({ filters: { src: ['a', "o'hare"], dst_loc: [] } }), context).sql;
    expect(sql).toContain("src IN ('a', 'o''hare')");
    expect(sql).not.toContain('dst_loc IN');
    expect(quote("x'; drop table icmp; --")).toBe("'x''; drop table icmp; --'");
  });

  it('uses the per-minute roll-up for long ranges when the statistic combines exactly', () => {
    const long = { ...context, fromMs: context.toMs - 24 * hour, intervalMs: 5 * 60_000 };
    const avg = buildSql(query({ stat: 'avg', source: 'auto' }), long);
    expect(avg.table).toBe('icmp_1m');
    expect(avg.sql).toContain('sum(rtt_avg * replies) / sum(replies) value FROM icmp_1m');
    // Percentiles of minutes cannot be merged: raw rows even for a long range.
    expect(buildSql(query({ stat: 'p90', source: 'auto' }), long).table).toBe('icmp');
    // Short ranges stay raw.
    expect(buildSql(query({ stat: 'avg', source: 'auto' }), context).table).toBe('icmp');
    // Sub-minute buckets cannot come from minute roll-ups.
    expect(buildSql(query({ stat: 'avg', source: 'auto' }), { ...long, intervalMs: 10_000 }).table).toBe('icmp');
  });

  it('keeps per-peer HTTP queries on raw rows (http_1m has no dst_host) and refuses a forced roll-up', () => {
    const long = { ...context, fromMs: context.toMs - 24 * hour, intervalMs: 5 * 60_000 };
    expect(buildSql(query({ family: 'http', stat: 'loss_pct', groupBy: ['src'] }), long).table).toBe('http_1m');
    expect(buildSql(query({ family: 'http', stat: 'loss_pct' }), long).table).toBe('http');
    expect(() => buildSql(query({ family: 'http', stat: 'loss_pct', source: 'rollup' }), long)).toThrow(
      /per HTTP peer/,
    );
  });

  it('takes an explicit interval over the dashboard one', () => {
    expect(buildSql(query({ interval: '1h' }), context).bucket).toBe('1h');
  });

  it('rejects an empty range, an unknown interval and a time zone that is not a zone name', () => {
    expect(() => buildSql(query(), { ...context, toMs: context.fromMs })).toThrow(/time range is empty/);
    expect(() => buildSql(query({ interval: '5 minutes' }), context)).toThrow(/e\.g\. 30s, 5m, 1h, 1d/);
    expect(() => buildSql(query(), { ...context, timeZone: "UTC'; drop" })).toThrow(/not an IANA zone name/);
  });
});

describe('intervals', () => {
  it('parses Grafana-style intervals and turns bucket lengths into SAMPLE BY units', () => {
    expect(parseIntervalMs('500ms')).toBe(500);
    expect(parseIntervalMs('5m')).toBe(300_000);
    expect(sampleByUnit(86_400_000)).toBe('1d');
    expect(sampleByUnit(7_200_000)).toBe('2h');
    expect(sampleByUnit(90_000)).toBe('90s');
    expect(sampleByUnit(1_500)).toBe('1500T');
    expect(sampleByUnit(0)).toBe('1T');
  });
});

describe('template variable SQL', () => {
  it('lists distinct values, taking ICMP destination locations from the collectors', () => {
    expect(buildVariableSql('icmp', 'src')).toBe('SELECT DISTINCT src FROM icmp ORDER BY 1');
    expect(buildVariableSql('http', 'dst')).toBe('SELECT DISTINCT dst_host FROM http ORDER BY 1');
    expect(buildVariableSql('icmp', 'dst_loc')).toBe('SELECT DISTINCT src_loc FROM icmp ORDER BY 1');
  });
});
