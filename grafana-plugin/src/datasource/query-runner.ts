// The datasource's logic without Grafana's runtime: SQL in, data frames out, against any
// QuestDbClient. The Grafana datasource wraps it; the live page and the tests use it directly.
import type { DataFrame } from '@grafana/data';
import { toTableFrame, toTimeSeriesFrames } from './frames';
import { QuestDbError, type QuestDbClient } from './questdb-client';
import { buildInventorySql, buildInventoryVariableSql } from './inventory-sql';
import { buildSql, buildVariableSql, type QueryContext } from './sql';
import type { PingSphereQuery, PingSphereVariableQuery } from './types';

/** Result of the datasource's health check, phrased for the person who configures it. */
export interface HealthReport {
  status: 'success' | 'error';
  message: string;
}

const requiredTables = ['icmp', 'http'];
const rollupViews = ['icmp_1m', 'http_1m'];

export class PingSphereQueryRunner {
  constructor(readonly client: QuestDbClient) {}

  /** Runs one query (template variables already replaced) and returns its frames. */
  async run(query: PingSphereQuery, context: QueryContext): Promise<DataFrame[]> {
    if (query.queryType && query.queryType !== 'pairs') {
      // The inventory views are tables of aggregates (a row per cell or target), whatever the format.
      const inventory = buildInventorySql(query, context);
      return [toTableFrame(await this.client.exec(inventory.sql), query, inventory.sql)];
    }
    const built = buildSql(query, context);
    const reply = await this.client.exec(built.sql);
    return query.format === 'table' ? [toTableFrame(reply, query, built.sql)] : toTimeSeriesFrames(reply, query, built);
  }

  /** Distinct values of a dimension, for template variables (collectors, locations, targets). */
  async variableValues(query: PingSphereVariableQuery): Promise<string[]> {
    const { dimension } = query;
    const sql =
      dimension === 'group' || dimension === 'target'
        ? buildInventoryVariableSql(dimension, query.group)
        : buildVariableSql(query.family, dimension);
    const reply = await this.client.exec(sql);
    return reply.dataset.map((row) => row[0]).filter((v): v is string => typeof v === 'string' && v !== '');
  }

  /** Checks that QuestDB answers and holds PingSphere's tables; says what to do when not. */
  async health(): Promise<HealthReport> {
    let tables: Set<string>;
    try {
      const reply = await this.client.exec('SELECT table_name FROM tables()');
      tables = new Set(reply.dataset.map((row) => String(row[0])));
    } catch (error) {
      const reason = error instanceof QuestDbError ? error.message : String(error);
      return { status: 'error', message: `QuestDB is unreachable: ${reason}` };
    }
    const missing = requiredTables.filter((t) => !tables.has(t));
    if (missing.length === requiredTables.length) {
      return {
        status: 'error',
        message:
          `QuestDB answers, but PingSphere's tables (${missing.join(', ')}) are missing: run a collector with ` +
          '`pingsphere collect --questdb "http::addr=HOST:9000;"` once (it creates them), or check that this is the right QuestDB.',
      };
    }
    const counts: string[] = [];
    for (const table of requiredTables.filter((t) => tables.has(t))) {
      const reply = await this.client.exec(`SELECT count() n, count_distinct(src) collectors FROM ${table}`);
      const [rows, collectors] = reply.dataset[0] ?? [0, 0];
      counts.push(`${table}: ${Number(rows)} rows from ${Number(collectors)} collectors`);
    }
    const notes: string[] = [];
    if (missing.length > 0) notes.push(`table ${missing.join(', ')} is missing (that family has no data yet)`);
    const missingViews = rollupViews.filter((v) => !tables.has(v));
    if (missingViews.length > 0) notes.push(`roll-ups ${missingViews.join(', ')} missing: long ranges read raw rows`);
    return {
      status: 'success',
      message: `QuestDB is reachable; ${counts.join('; ')}.${notes.length ? ` Note: ${notes.join('; ')}.` : ''}`,
    };
  }
}
