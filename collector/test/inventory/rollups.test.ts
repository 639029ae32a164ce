// The inventory's roll-ups in a real QuestDB, checked against an independent calculation: the
// fixture's probes are recomputed here in JavaScript from the same deterministic model
// (fixtureRttMs), grouped by hand, and compared with what icmp_1h, icmp_1d, icmp_group_1m and
// icmp_group_1h hold: counts, loss, targets down, min, max and averages (percentiles are QuestDB's
// approximation; checked only to lie within min and max).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb } from '@pingsphere/testbed';
import {
  fixtureAddress,
  fixtureGroup,
  fixtureRttMs,
  fixtureSources,
  loadFixture,
} from '../fixtures/inventory-fixture.js';

const shape = { targets: 10_000, groups: 20 };
const sweeps = 6;
const everyMinutes = 30;
// Three whole hours that ended at least an hour ago: every hourly period is closed.
const startMs = Math.floor((Date.now() - 5 * 3_600_000) / 3_600_000) * 3_600_000;

interface Cell {
  probes: number;
  replies: number;
  sum: number;
  min: number;
  max: number;
  targets: Set<number>;
  up: Set<number>;
}

function cell(): Cell {
  return { probes: 0, replies: 0, sum: 0, min: Infinity, max: -Infinity, targets: new Set(), up: new Set() };
}

/** The view's group of target i, written out here from the fixture's rules (not its code). */
function groupKey(i: number): string {
  if (i % 10_000 === 9_999) return `${fixtureAddress(i).split('.').slice(0, 3).join('.')}.0/24`;
  const { name, city } = fixtureGroup(i % shape.groups);
  return i % 100 === 99 ? city.loc : name; // no group label: the location
}

/** The probes of the fixture, recomputed: (source, target, ts, rtt). */
function* probes(): Generator<{ s: number; i: number; tsMs: number; rtt: number | null }> {
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let s = 0; s < fixtureSources.length; s++) {
      // The loader sends in engine order (all IPv4 here, so file order) spread over 10 s.
      for (let k = 0; k < shape.targets; k++) {
        const tsUs = (startMs + sweep * everyMinutes * 60_000) * 1000 + Math.floor((k / shape.targets) * 10_000_000);
        yield { s, i: k, tsMs: tsUs / 1000, rtt: fixtureRttMs(shape, s, k, tsUs / 1000) };
      }
    }
  }
}

function add(into: Map<string, Cell>, key: string, i: number, rtt: number | null): void {
  let c = into.get(key);
  if (!c) into.set(key, (c = cell()));
  c.probes++;
  c.targets.add(i);
  if (rtt === null) return;
  c.replies++;
  c.sum += rtt;
  c.min = Math.min(c.min, rtt);
  c.max = Math.max(c.max, rtt);
  c.up.add(i);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

describe('inventory roll-ups over the labelled fixture', () => {
  let questdb: LocalQuestDb;
  const perMinuteGroup = new Map<string, Cell>();
  const perHourTarget = new Map<string, Cell>();
  const perHourGroup = new Map<string, Map<string, Cell>>();

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    await loadFixture({ ...shape, conf: questdb.clientConf, startMs, sweeps, everyMinutes });
    for (const { s, i, tsMs, rtt } of probes()) {
      const src = fixtureSources[s]!.src;
      const minute = Math.floor(tsMs / 60_000) * 60_000;
      const hour = Math.floor(tsMs / 3_600_000) * 3_600_000;
      add(perMinuteGroup, `${iso(minute)}|${src}|${groupKey(i)}`, i, rtt);
      add(perHourTarget, `${iso(hour)}|${src}|${fixtureAddress(i)}`, i, rtt);
      // Per group and hour, per target first (targets_up = answered at least once that hour).
      const key = `${iso(hour)}|${src}|${groupKey(i)}`;
      const targets = perHourGroup.get(key) ?? new Map<string, Cell>();
      perHourGroup.set(key, targets);
      add(targets, String(i), i, rtt);
    }
  }, 300_000);

  afterAll(async () => {
    await questdb?.dispose();
  });

  it('keeps one targets row per collector and address, with its group key and place', async () => {
    const rows = await questdb.rows(
      `select src, count() n, count_distinct(group_key) groups, sum(case when lat is null then 1 else 0 end) unplaced from targets group by src order by src`,
    );
    // 20 groups; ungrouped targets (every 100th: all of group 19's city here) by location; the one
    // unlabelled target (the 10,000th) by its /24, and it alone has no place.
    expect(rows).toEqual(
      [...fixtureSources]
        .map((s) => ({ src: s.src, n: 10_000, groups: 20 + 1 + 1, unplaced: 1 }))
        .sort((a, b) => a.src.localeCompare(b.src)),
    );
  });

  it('icmp_group_1m: per collector, group and minute, the counts, targets down, min, max and average', async () => {
    const rows = await questdb.rows(
      'select ts, src, group_key, probes, replies, targets, targets_up, rtt_min, rtt_max, rtt_avg, rtt_p50 from icmp_group_1m',
    );
    expect(rows).toHaveLength(perMinuteGroup.size);
    for (const row of rows) {
      const truth = perMinuteGroup.get(`${String(row.ts)}|${String(row.src)}|${String(row.group_key)}`);
      expect(truth, JSON.stringify(row)).toBeDefined();
      expect([row.probes, row.replies, row.targets, row.targets_up]).toEqual([
        truth!.probes,
        truth!.replies,
        truth!.targets.size,
        truth!.up.size,
      ]);
      if (truth!.replies === 0) continue;
      expect(row.rtt_min).toBe(truth!.min);
      expect(row.rtt_max).toBe(truth!.max);
      expect(close(row.rtt_avg as number, truth!.sum / truth!.replies)).toBe(true);
      expect(row.rtt_p50 as number).toBeGreaterThanOrEqual(truth!.min * 0.99);
      expect(row.rtt_p50 as number).toBeLessThanOrEqual(truth!.max * 1.01);
    }
    // Some groups really lose probes, and some targets are really down.
    expect([...perMinuteGroup.values()].some((c) => c.up.size < c.targets.size)).toBe(true);
  });

  it('icmp_1h and icmp_1d: per target per hour and per day', async () => {
    // Every row counted; the values of one target in 20 compared (the reply is large otherwise).
    expect(Number((await questdb.query('select count() from icmp_1h')).dataset[0]![0])).toBe(perHourTarget.size);
    const sample = Array.from({ length: shape.targets / 20 }, (_, k) => `'${fixtureAddress(20 * k + (k % 20))}'`);
    const hourly = await questdb.rows(
      `select ts, src, dst, probes, replies, rtt_min, rtt_max, rtt_avg from icmp_1h where dst in (${sample.join(',')})`,
    );
    expect(hourly).toHaveLength((perHourTarget.size / shape.targets) * sample.length);
    for (const row of hourly) {
      const truth = perHourTarget.get(`${String(row.ts)}|${String(row.src)}|${String(row.dst)}`)!;
      expect([row.probes, row.replies]).toEqual([truth.probes, truth.replies]);
      if (truth.replies > 0) {
        expect([row.rtt_min, row.rtt_max]).toEqual([truth.min, truth.max]);
        expect(close(row.rtt_avg as number, truth.sum / truth.replies)).toBe(true);
      }
    }
    const daily = await questdb.rows(
      "select ts, src, dst, probes, replies, rtt_min, rtt_max, rtt_avg from icmp_1d where dst = '198.18.0.7'",
    );
    for (const row of daily) {
      // The row's own UTC day only: the fixture starts 5 h back, so it spans midnight when the
      // test runs between midnight and 05:00 UTC.
      const day = String(row.ts).slice(0, 10);
      const cells = [...perHourTarget.entries()]
        .filter(([key]) => key.startsWith(day) && key.endsWith(`|${String(row.src)}|198.18.0.7`))
        .map(([, c]) => c);
      const probes = cells.reduce((n, c) => n + c.probes, 0);
      const replies = cells.reduce((n, c) => n + c.replies, 0);
      expect([row.probes, row.replies]).toEqual([probes, replies]);
      expect(close(row.rtt_avg as number, cells.reduce((n, c) => n + c.sum, 0) / replies)).toBe(true);
      expect(row.rtt_min).toBe(Math.min(...cells.map((c) => c.min)));
    }
    expect(daily).toHaveLength(
      fixtureSources.length * new Set([...perHourTarget.keys()].map((k) => k.slice(0, 10))).size,
    );
  });

  it('icmp_group_1h: targets answering at least once per hour, probe counts and the reply-weighted average', async () => {
    const rows = await questdb.rows(
      'select ts, src, group_key, targets, targets_up, probes, replies, rtt_min, rtt_avg from icmp_group_1h',
    );
    expect(rows).toHaveLength(perHourGroup.size);
    for (const row of rows) {
      const targets = [...perHourGroup.get(`${String(row.ts)}|${String(row.src)}|${String(row.group_key)}`)!.values()];
      const replies = targets.reduce((n, c) => n + c.replies, 0);
      expect([row.targets, row.targets_up, row.probes, row.replies]).toEqual([
        targets.length,
        targets.filter((c) => c.replies > 0).length,
        targets.reduce((n, c) => n + c.probes, 0),
        replies,
      ]);
      if (replies > 0) {
        expect(row.rtt_min).toBe(Math.min(...targets.map((c) => c.min)));
        expect(close(row.rtt_avg as number, targets.reduce((n, c) => n + c.sum, 0) / replies)).toBe(true);
      }
    }
  });
});
