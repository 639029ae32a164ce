import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskSpool } from '../../src/sinks/spool/disk-spool.js';

const rows = (n: number, tag = 'a') =>
  Buffer.from(Array.from({ length: n }, (_, i) => `t,s=${tag} v=${i}i\n`).join(''));

describe('DiskSpool', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns segments in the order they were appended, across a reopen', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
    const spool = await DiskSpool.open({ dir, maxBytes: 10_000_000, extension: '.ilp' });
    await spool.append(rows(3, 'first'), 3);
    await spool.append(rows(2, 'second'), 2);
    expect(spool.pendingRows).toBe(5);

    const reopened = await DiskSpool.open({ dir, maxBytes: 10_000_000, extension: '.ilp' });
    expect(reopened.pendingRows).toBe(5);
    expect(reopened.bytes).toBe(rows(3, 'first').length + rows(2, 'second').length);
    const [first] = reopened.oldest();
    expect(await first!.read()).toEqual(rows(3, 'first'));
    await reopened.remove(first!.id);
    expect(reopened.pendingRows).toBe(2);
    expect(await reopened.oldest()[0]!.read()).toEqual(rows(2, 'second'));
  });

  it('drops the oldest segments beyond its size limit and counts the rows it dropped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
    const drops: number[] = [];
    const spool = await DiskSpool.open({ dir, maxBytes: 5_000, extension: '.ilp', onDrop: (n) => drops.push(n) });
    for (let i = 0; i < 5; i++) await spool.append(rows(100, `s${i}`), 100);
    expect(spool.bytes).toBeLessThanOrEqual(5_000);
    expect(spool.dropped).toBe(drops.reduce((a, b) => a + b, 0));
    expect(spool.dropped + spool.pendingRows).toBe(500);
    expect(spool.dropped).toBeGreaterThan(0);
    const oldest = (await spool.oldest()[0]!.read()).toString();
    expect(oldest.startsWith(`t,s=s${spool.dropped / 100} `)).toBe(true);
  });

  it('ignores and removes a half-written temporary file left by a crash', async () => {
    dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
    writeFileSync(join(dir, '000000000000-5.ilp.abcd.tmp'), 't,s=a v=1i\nt,s=');
    const spool = await DiskSpool.open({ dir, maxBytes: 1_000_000, extension: '.ilp' });
    expect(spool.isEmpty).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
