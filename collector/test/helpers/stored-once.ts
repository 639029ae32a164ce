// The exactly-once check of the store of record: wait until QuestDB has applied every
// acknowledged transaction (so rows that would show up late are there), then count rows and
// distinct keys. A replay that DEDUP did not absorb shows up as a key stored twice.
import type { LocalQuestDb } from '@pingsphere/testbed';

const keys = { icmp: 'ts, src, dst, seq', http: 'ts, src, dst' } as const;

/** Rows of `table` for `src`, and the keys stored more than once (with their count). */
export async function storedRows(
  questdb: LocalQuestDb,
  table: 'icmp' | 'http',
  src: string,
): Promise<{ rows: number; repeated: Record<string, unknown>[] }> {
  await questdb.waitUntilApplied([table]);
  if ((await questdb.rows(`select table_name from tables() where table_name = '${table}'`)).length === 0) {
    return { rows: 0, repeated: [] };
  }
  const where = `src = '${src.replaceAll("'", "''")}'`;
  const [counted] = await questdb.rows(`select count() n from ${table} where ${where}`);
  const repeated = await questdb.rows(
    `select * from (select ${keys[table]}, count() copies from ${table} where ${where}) where copies > 1 limit 5`,
  );
  return { rows: Number(counted!.n), repeated };
}
