import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalQuestDb } from '../src/index.js';

describe('LocalQuestDb', () => {
  let questdb: LocalQuestDb;

  beforeAll(async () => {
    questdb = await LocalQuestDb.launch();
  });

  afterAll(async () => {
    await questdb?.dispose();
  });

  it('answers SQL on a loopback port', async () => {
    const result = await questdb.query('select 41 + 1 as answer');
    expect(result.dataset).toEqual([[42]]);
    expect(questdb.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores a row written over ILP/HTTP and reads it back with its types', async () => {
    const line = 'harness_check,src=a dst="b",rtt_ms=1.5 1700000000000000000\n';
    const write = await fetch(`${questdb.httpUrl}/write?precision=n`, { method: 'POST', body: line });
    expect(write.status).toBe(204);
    let rows: Record<string, unknown>[] = [];
    for (let attempt = 0; attempt < 50 && rows.length === 0; attempt++) {
      // WAL tables become visible to readers asynchronously.
      rows = await questdb.rows('select src, dst, rtt_ms, timestamp from harness_check').catch(() => []);
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toEqual([{ src: 'a', dst: 'b', rtt_ms: 1.5, timestamp: '2023-11-14T22:13:20.000000Z' }]);
    const types = await questdb.rows('select "column", type from table_columns(\'harness_check\')');
    expect(types).toContainEqual({ column: 'src', type: 'SYMBOL' });
  });

  it('keeps its data across stop and start on the same ports', async () => {
    await questdb.query('create table restart_check (x long)');
    await questdb.query('insert into restart_check values (7)');
    await questdb.stop();
    expect(questdb.isRunning).toBe(false);
    await expect(fetch(`${questdb.httpUrl}/exec?query=select%201`)).rejects.toThrow();
    await questdb.start();
    expect((await questdb.query('select x from restart_check')).dataset).toEqual([[7]]);
  });

  it('explains a port clash instead of hanging', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await expect(LocalQuestDb.launch({ ports: { http: taken }, startTimeoutMs: 30_000 })).rejects.toThrow(
        new RegExp(`QuestDB exited[^]*ports .*${taken}.* are free[^]*could not bind socket`),
      );
    } finally {
      blocker.close();
    }
  });
});
