import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskSpool } from '../../src/sinks/spool/disk-spool.js';
import { httpResult, icmpResults } from '../fixtures/results.js';

describe('DiskSpool', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns batches in the order they were appended, across a reopen', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
    const spool = await DiskSpool.open({ dir, maxBytes: 10_000_000 });
    await spool.append([{ family: 'icmp', results: icmpResults(3) }]);
    await spool.append([
      { family: 'http', results: [httpResult()] },
      { family: 'icmp', results: icmpResults(2) },
    ]);
    expect(spool.pendingRows).toBe(6);

    const reopened = await DiskSpool.open({ dir, maxBytes: 10_000_000 });
    expect(reopened.pendingRows).toBe(6);
    const first = reopened.oldest()!;
    expect(await first.read()).toEqual([{ family: 'icmp', results: icmpResults(3) }]);
    await reopened.remove(first.id);
    const second = await reopened.oldest()!.read();
    expect(second.map((b) => [b.family, b.results.length])).toEqual([
      ['http', 1],
      ['icmp', 2],
    ]);
  });

  it('drops the oldest segments beyond its size limit and counts the rows it dropped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
    const drops: number[] = [];
    const spool = await DiskSpool.open({ dir, maxBytes: 25_000, onDrop: (rows) => drops.push(rows) });
    for (let i = 0; i < 5; i++) await spool.append([{ family: 'icmp', results: icmpResults(100, { src: `s${i}` }) }]);
    expect(spool.bytes).toBeLessThanOrEqual(25_000);
    expect(spool.dropped).toBe(drops.reduce((a, b) => a + b, 0));
    expect(spool.dropped + spool.pendingRows).toBe(500);
    expect(spool.dropped).toBeGreaterThan(0);
    const oldest = await spool.oldest()!.read();
    expect(oldest[0]!.results[0]).toMatchObject({ src: `s${spool.dropped / 100}` });
  });

  it('ignores and removes a half-written temporary file left by a crash', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
    writeFileSync(join(dir, '000000000000-5.ndjson.abcd.tmp'), '{"family":"icmp","resu');
    const spool = await DiskSpool.open({ dir, maxBytes: 1_000_000 });
    expect(spool.isEmpty).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
