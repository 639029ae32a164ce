// The per-minute roll-ups (icmp_1m, http_1m) against figures computed here from the rows the test
// wrote: counts, loss, min, max and averages per minute, collector and target, over six minutes
// of past rows that arrive out of order in several commits (so QuestDB refreshes the views
// incrementally, and rewrites minutes it had already rolled up).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb } from '@pingsphere/testbed';
import { icmpBatchesOf } from '../../src/icmp/icmp-batches.js';
import type { HttpResult } from '../../src/results/http-result.js';
import type { IcmpResult } from '../../src/results/icmp-result.js';
import { QuestDbSink } from '../../src/sinks/questdb/questdb-sink.js';
import { isoMicroseconds } from '../../src/results/timestamps.js';
import { httpResult } from '../fixtures/results.js';

const minuteUs = 60_000_000;
/** Six whole minutes, two hours ago. */
const startUs = (Math.floor(Date.now() / 60_000) - 120) * minuteUs;
const minutes = 6;
const collectors = ['rollup-a', 'rollup-b'];

/** A deterministic spread of values (no Math.random: a failure must be reproducible). */
function spread(n: number): number {
  return ((n * 2_654_435_761) % 4_294_967_296) / 4_294_967_296;
}

function icmpRows(): IcmpResult[] {
  const rows: IcmpResult[] = [];
  for (const [c, src] of collectors.entries()) {
    for (let target = 0; target < 8; target++) {
      // A probe every 7 s (not a divisor of 60: minutes hold 8 or 9 probes).
      for (let tsUs = startUs + target * 1000; tsUs < startUs + minutes * minuteUs; tsUs += 7_000_000) {
        const n = rows.length;
        const lost = spread(n + 17) < 0.15 || (target === 7 && c === 1); // one target all lost
        rows.push({
          tsUs,
          src,
          srcLoc: c === 0 ? 'Frankfurt,DE' : 'Tokyo,JP',
          dst: `198.18.${c}.${target + 1}`,
          seq: Math.round((tsUs - startUs) / 7_000_000),
          rttMs: lost ? null : Math.round((1 + 40 * spread(n)) * 1e6) / 1e6,
          flow: 0,
        });
      }
    }
  }
  return rows;
}

function httpRows(): HttpResult[] {
  const rows: HttpResult[] = [];
  for (const src of collectors) {
    for (let peer = 0; peer < 3; peer++) {
      for (let tsUs = startUs + peer * 1000; tsUs < startUs + minutes * minuteUs; tsUs += 5_000_000) {
        const n = rows.length;
        const failed = spread(n + 5) < 0.2;
        const connectMs = Math.round((0.2 + 30 * spread(n)) * 1000) / 1000;
        rows.push(
          httpResult({
            tsUs,
            src,
            dst: `http://peer-${peer}:8080/v1/ping`,
            dstLoc: `Peer${peer},XX`,
            ...(failed
              ? { status: 0, ok: false, error: 'timeout', connectMs: 0, ttfbMs: 0, totalMs: 0, dnsMs: 0 }
              : { connectMs, dnsMs: 0.05 * peer, ttfbMs: connectMs + 1, totalMs: 2 * connectMs + 1.5 }),
          }),
        );
      }
    }
  }
  return rows;
}

const minuteOf = (tsUs: number) => isoMicroseconds(Math.floor(tsUs / minuteUs) * minuteUs);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k) ?? [];
    group.push(item);
    groups.set(k, group);
  }
  return groups;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
const smallest = (values: number[]) => (values.length ? Math.min(...values) : null);
const largest = (values: number[]) => (values.length ? Math.max(...values) : null);

/** QuestDB's avg may differ from ours in the last bits; everything else must be equal. */
function expectSameFigures(actual: Record<string, unknown>[], expected: Record<string, number | string | null>[]) {
  const byKey = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [`${r.ts}|${r.src}|${r.dst}`, r]));
  const got = byKey(actual);
  expect([...got.keys()].sort()).toEqual(expected.map((e) => `${e.ts}|${e.src}|${e.dst}`).sort());
  for (const want of expected) {
    const row = got.get(`${want.ts}|${want.src}|${want.dst}`)!;
    for (const [column, value] of Object.entries(want)) {
      if (column.endsWith('_avg') && typeof value === 'number') {
        expect(row[column], `${column} of ${want.ts} ${want.src} ${want.dst}`).toBeCloseTo(value, 9);
      } else {
        expect(row[column], `${column} of ${want.ts} ${want.src} ${want.dst}`).toBe(value);
      }
    }
  }
}

describe('per-minute roll-ups against the rows they summarise', () => {
  let questdb: LocalQuestDb;
  let spoolDir: string;
  const icmp = icmpRows();
  const http = httpRows();

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    spoolDir = mkdtempSync(join(tmpdir(), 'pingsphere-rollup-spool-'));
    const sink = await QuestDbSink.open({ conf: questdb.clientConf, spoolDir, flushIntervalMs: 20, warn: () => {} });
    // Minute by minute in a shuffled order, each its own commit: 3, 0, 5, 1, 4, 2.
    for (const minute of [3, 0, 5, 1, 4, 2]) {
      const inMinute = (tsUs: number) => Math.floor((tsUs - startUs) / minuteUs) === minute;
      for (const batch of icmpBatchesOf(icmp.filter((r) => inMinute(r.tsUs)))) sink.write(batch);
      sink.write({ family: 'http', results: http.filter((r) => inMinute(r.tsUs)) });
      await sink.flush();
      await questdb.waitUntilApplied(['icmp', 'http']);
    }
    await sink.close();
  });

  afterAll(async () => {
    await questdb?.dispose();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('icmp_1m: probes, replies (so loss), min, max and average RTT per minute, collector and target', async () => {
    const expected = [...groupBy(icmp, (r) => `${minuteOf(r.tsUs)}|${r.src}|${r.dst}`).values()].map((rows) => {
      const rtts = rows.flatMap((r) => (r.rttMs === null ? [] : [r.rttMs]));
      return {
        ts: minuteOf(rows[0]!.tsUs),
        src: rows[0]!.src,
        dst: rows[0]!.dst,
        probes: rows.length,
        replies: rtts.length,
        rtt_min: smallest(rtts),
        rtt_max: largest(rtts),
        rtt_avg: mean(rtts),
      };
    });
    // The data has what the check needs: loss, a target with no reply at all, 6 minutes.
    expect(expected.some((e) => e.replies < e.probes && e.replies > 0)).toBe(true);
    expect(expected.some((e) => e.replies === 0)).toBe(true);
    expect(new Set(expected.map((e) => e.ts)).size).toBe(minutes);
    const rolled = await questdb.rows(
      `select ts, src, dst, probes, replies, rtt_min, rtt_max, rtt_avg from icmp_1m where src in ('rollup-a', 'rollup-b')`,
    );
    expectSameFigures(rolled, expected);
    const lossPct = (r: { probes: number; replies: number }) => (100 * (r.probes - r.replies)) / r.probes;
    const total = expected.reduce((s, e) => ({ probes: s.probes + e.probes, replies: s.replies + e.replies }), {
      probes: 0,
      replies: 0,
    });
    const [fromView] = await questdb.rows(
      `select sum(probes) probes, sum(replies) replies from icmp_1m where src in ('rollup-a', 'rollup-b')`,
    );
    expect(lossPct(fromView as { probes: number; replies: number })).toBeCloseTo(lossPct(total), 9);
  });

  it('http_1m: requests, successes, and min, max and averages over the successful ones', async () => {
    const expected = [...groupBy(http, (r) => `${minuteOf(r.tsUs)}|${r.src}|${r.dst}`).values()].map((rows) => {
      const ok = rows.filter((r) => r.ok);
      return {
        ts: minuteOf(rows[0]!.tsUs),
        src: rows[0]!.src,
        dst: rows[0]!.dst,
        dst_loc: rows[0]!.dstLoc,
        requests: rows.length,
        ok_count: ok.length,
        connect_min: smallest(ok.map((r) => r.connectMs)),
        connect_max: largest(ok.map((r) => r.connectMs)),
        connect_avg: mean(ok.map((r) => r.connectMs)),
        dns_avg: mean(ok.map((r) => r.dnsMs)),
        ttfb_avg: mean(ok.map((r) => r.ttfbMs)),
        total_avg: mean(ok.map((r) => r.totalMs)),
      };
    });
    expect(expected.some((e) => e.ok_count < e.requests)).toBe(true);
    const rolled = await questdb.rows(
      `select ts, src, dst, dst_loc, requests, ok_count, connect_min, connect_max, connect_avg, dns_avg, ttfb_avg, total_avg
       from http_1m where src in ('rollup-a', 'rollup-b')`,
    );
    expectSameFigures(rolled, expected);
  });
});
