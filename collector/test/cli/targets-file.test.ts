// The labelled targets file in a real collector: it loads, bad lines are named and skipped, and an
// edit on disk or a SIGHUP changes the next sweep while the running one finishes on its list. The
// collector runs inside a fresh network namespace (its probes reach only the namespace's loopback);
// QuestDB runs on the host, forwarded in over a Unix socket, and shows the targets table and the
// per-group roll-up that joins it.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb, NetworkNamespace } from '@pingsphere/testbed';
import { curl, metric } from '../helpers/namespace-http.js';
import { ndjson, startCollectorIn, type RecordedProcess } from '../helpers/processes.js';

interface Probe {
  target: string;
  seq: number;
  rtt_ms: number | null;
  ts: string;
}

const folders: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pingsphere-targets-file-'));
  folders.push(dir);
  return dir;
}

function probes(collector: RecordedProcess): Probe[] {
  return ndjson<Probe>(collector.stdout).filter((line) => 'target' in line);
}

/** Targets probed from the first probe of `marker` on (the first sweep of a new plan) to the end. */
function probedSince(collector: RecordedProcess, marker: string): Set<string> {
  const all = probes(collector);
  const first = all.find((p) => p.target === marker);
  if (!first) return new Set();
  return new Set(all.filter((p) => p.ts >= first.ts).map((p) => p.target));
}

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('pingsphere collect --icmp-targets with a labelled file', () => {
  let questdb: LocalQuestDb;
  let ns: NetworkNamespace;
  let forward: { close(): Promise<void> };
  const running: RecordedProcess[] = [];

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
    ns = await NetworkNamespace.create();
    forward = await ns.forwardHostPort(questdb.ports.http);
  });

  afterAll(async () => {
    for (const collector of running) await collector.stop();
    await forward?.close();
    await ns?.dispose();
    await questdb?.dispose();
  });

  function collector(name: string, file: string, extra: string[] = []): RecordedProcess {
    const dir = tempDir();
    const child = startCollectorIn(ns, [
      '-H',
      name,
      '-L',
      'Frankfurt,DE',
      '-s',
      '8080',
      '--listen',
      name,
      '--json',
      '--questdb',
      questdb.clientConf,
      '--spool-dir',
      join(dir, 'spool'),
      '--icmp-targets',
      file,
      '--icmp-interval',
      '0.5',
      ...extra,
    ]);
    running.push(child);
    return child;
  }

  it('loads names, groups and places, skips bad lines with file, line and fix, and stores the targets table', async () => {
    const file = join(tempDir(), 'targets.txt');
    writeFileSync(
      file,
      [
        '# edge and core, on the namespace loopback',
        '127.0.0.1 name=fra-edge-1 group=edge loc="Frankfurt am Main,DE" rack=B7',
        '127.0.0.2 name="core one" group=core loc=35.69,139.69',
        '127.0.0.3',
        '127.0.0.300 name=broken',
        '127.0.0.4 name=two words',
        '127.0.1.0/30 group=lab',
        '',
      ].join('\n'),
    );
    const c = collector('127.0.0.10', file);
    await c.waitFor(() => new Set(probes(c).map((p) => p.target)).size >= 5, 30_000, 'a sweep of every good line');
    expect(new Set(probes(c).map((p) => p.target))).toEqual(
      new Set(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.1.1', '127.0.1.2']),
    );
    expect(c.stderr).toMatch(
      new RegExp(
        `${file.replaceAll('.', '\\.')} line 5: "127\\.0\\.0\\.300" is not a valid IPv4 address \\(expected four numbers 0-255, like 192\\.0\\.2\\.1\\); the line is skipped`,
      ),
    );
    expect(c.stderr).toMatch(/line 6: "words" is not a key=value label: .*quote values with spaces/);
    expect(c.stderr).toMatch(/targets\.txt: 4 targets, 2 bad lines skipped/);

    const metrics = (await curl(ns, 'GET', 'http://127.0.0.10:8080/metrics')).body;
    expect(metric(metrics, 'pingsphere_targets_file_bad_lines')).toBe(2);
    expect(metric(metrics, 'pingsphere_targets_entries')).toBe(4);
    expect(metric(metrics, 'pingsphere_icmp_targets')).toBe(5);

    const listed = (await curl(ns, 'GET', 'http://127.0.0.10:8080/v1/targets')).json<{
      targets: Array<Record<string, unknown>>;
      problems: { errors: number; lines: string[] };
    }>();
    expect(listed.targets[0]).toEqual({
      target: '127.0.0.1',
      name: 'fra-edge-1',
      group: 'edge',
      loc: 'Frankfurt am Main,DE',
      lat: 50.12,
      lon: 8.68,
      labels: { rack: 'B7' },
    });
    expect(listed.problems.errors).toBe(2);
    expect(listed.problems.lines[0]).toMatch(/line 5: "127\.0\.0\.300" is not a valid IPv4 address/);

    // One row per probed address in QuestDB's targets table, with labels, group key and place.
    await questdb.waitForCount("select count() from targets where src = '127.0.0.10'", 5);
    const rows = await questdb.rows(
      `select target, spec, name, "group", group_key, loc, lat, lon, labels, removed from targets where src = '127.0.0.10' order by target`,
    );
    expect(rows).toEqual([
      {
        target: '127.0.0.1',
        spec: '127.0.0.1',
        name: 'fra-edge-1',
        group: 'edge',
        group_key: 'edge',
        loc: 'Frankfurt am Main,DE',
        lat: 50.12,
        lon: 8.68,
        labels: '{"rack":"B7"}',
        removed: false,
      },
      {
        target: '127.0.0.2',
        spec: '127.0.0.2',
        name: 'core one',
        group: 'core',
        group_key: 'core',
        loc: '35.69,139.69',
        lat: 35.69,
        lon: 139.69,
        labels: null,
        removed: false,
      },
      {
        target: '127.0.0.3',
        spec: '127.0.0.3',
        name: null,
        group: null,
        group_key: '127.0.0.0/24',
        loc: null,
        lat: null,
        lon: null,
        labels: null,
        removed: false,
      },
      {
        target: '127.0.1.1',
        spec: '127.0.1.0/30',
        name: null,
        group: 'lab',
        group_key: 'lab',
        loc: null,
        lat: null,
        lon: null,
        labels: null,
        removed: false,
      },
      expect.objectContaining({ target: '127.0.1.2', spec: '127.0.1.0/30', group_key: 'lab' }),
    ]);
    expect(await c.stop()).toBe(0);
  });

  it('applies an edit on disk at the next sweep; the sweep in flight finishes on its list', async () => {
    const file = join(tempDir(), 'targets.txt');
    const old = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 1}`);
    writeFileSync(file, old.map((target) => `${target} group=a`).join('\n') + '\n');
    // 20 probes/s: a sweep of the 40 old targets takes two seconds; the edit lands in its middle.
    const c = collector('127.0.0.11', file, ['--icmp-rate', '20']);
    await c.waitFor(() => probes(c).length > 0, 30_000, 'a first sweep to start');
    writeFileSync(file, '127.0.0.1 group=a\n127.0.0.99 name=new group=b\n');
    await c.waitFor(
      () => probes(c).filter((p) => p.target === '127.0.0.99').length >= 3,
      30_000,
      'three sweeps of the edit',
    );
    const firstNew = probes(c).find((p) => p.target === '127.0.0.99')!.ts;
    const before = probes(c).filter((p) => p.ts < firstNew);
    for (const target of old)
      expect(
        before.some((p) => p.target === target),
        target,
      ).toBe(true);
    expect(probedSince(c, '127.0.0.99')).toEqual(new Set(['127.0.0.1', '127.0.0.99']));
    expect(c.stderr).toMatch(/ICMP: targets changed; this sweep probes 2 targets/);
    await questdb.waitForCount("select count() from targets where src = '127.0.0.11' and removed", 39);
    const rows = await questdb.rows(
      "select target, name, group_key, removed from targets where src = '127.0.0.11' and target in ('127.0.0.1', '127.0.0.2', '127.0.0.99') order by target",
    );
    expect(rows).toEqual([
      { target: '127.0.0.1', name: null, group_key: 'a', removed: false },
      { target: '127.0.0.2', name: null, group_key: 'a', removed: true },
      { target: '127.0.0.99', name: 'new', group_key: 'b', removed: false },
    ]);
    expect(await c.stop()).toBe(0);
  });

  it('re-reads the file on SIGHUP, also an edit the on-disk check cannot see', async () => {
    const file = join(tempDir(), 'targets.txt');
    writeFileSync(file, '127.0.0.1\n127.0.0.2\n');
    const stamp = new Date('2026-01-01T00:00:00Z'); // a whole second: utimes can set it back exactly
    utimesSync(file, stamp, stamp);
    const c = collector('127.0.0.12', file);
    await c.waitFor(() => probes(c).some((p) => p.target === '127.0.0.2'), 30_000, 'a first sweep');
    // Same size, same inode and the old modification time: the stat poll sees no change.
    writeFileSync(file, '127.0.0.1\n127.0.0.3\n');
    utimesSync(file, stamp, stamp);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(probes(c).some((p) => p.target === '127.0.0.3')).toBe(false);
    c.signal('SIGHUP');
    await c.waitFor(() => probes(c).filter((p) => p.target === '127.0.0.3').length >= 2, 30_000, 'the SIGHUP reload');
    expect(c.stderr).toMatch(/ICMP targets: SIGHUP, reading .* again/);
    expect(probedSince(c, '127.0.0.3')).toEqual(new Set(['127.0.0.1', '127.0.0.3']));
    expect(c.hasExited).toBe(false);
    expect(await c.stop()).toBe(0);
  });

  it('keeps the last good list when the file becomes unreadable, and says why', async () => {
    const dir = tempDir();
    const file = join(dir, 'targets.txt');
    writeFileSync(file, '127.0.0.1\n');
    const c = collector('127.0.0.13', file);
    await c.waitFor(() => probes(c).length > 0, 30_000, 'a first sweep');
    rmSync(file);
    c.signal('SIGHUP');
    await c.waitFor(() => /no such file; keeping the previous list/.test(c.stderr), 10_000, 'the failed reload');
    const count = probes(c).length;
    await c.waitFor(() => probes(c).length > count + 1, 10_000, 'sweeps to go on');
    expect(await c.stop()).toBe(0);
  });
});
