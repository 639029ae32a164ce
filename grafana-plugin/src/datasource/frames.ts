// QuestDB /exec replies → Grafana data frames: one frame per series (labels = the group-by
// values) for time series, one wide frame for tables.
import { createDataFrame, DataFrameType, FieldType, type DataFrame, type Field, type FieldConfig } from '@grafana/data';
import type { QuestDbReply } from './questdb-client';
import type { BuiltSql } from './sql';
import type { Dimension, PingSphereQuery } from './types';

const numericTypes = new Set(['DOUBLE', 'FLOAT', 'LONG', 'INT', 'SHORT', 'BYTE', 'LONG256']);

/** Grafana field type for a QuestDB column type. */
export function fieldTypeOf(questDbType: string): FieldType {
  if (questDbType === 'TIMESTAMP' || questDbType === 'DATE') return FieldType.time;
  if (numericTypes.has(questDbType)) return FieldType.number;
  if (questDbType === 'BOOLEAN') return FieldType.boolean;
  return FieldType.string;
}

function cell(type: FieldType, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  // QuestDB writes timestamps as ISO strings with microseconds; Date.parse keeps the milliseconds.
  if (type === FieldType.time) return typeof raw === 'string' ? Date.parse(raw) : Number(raw);
  return raw;
}

/** Display unit of the query's value (Grafana unit ids). */
export function valueConfig(query: Pick<PingSphereQuery, 'stat'>): FieldConfig {
  if (query.stat === 'loss_pct') return { unit: 'percent', min: 0, max: 100 };
  if (query.stat === 'samples') return { unit: 'none', decimals: 0 };
  return { unit: 'ms' };
}

const columnConfig: Record<string, FieldConfig> = {
  loss_pct: { unit: 'percent', min: 0, max: 100, displayName: 'loss %' },
  samples: { unit: 'none', decimals: 0 },
  // The inventory views (inventory-sql.ts).
  targets: { unit: 'none', decimals: 0 },
  targets_down: { unit: 'none', decimals: 0, displayName: 'targets down' },
  worst_src: { displayName: 'seen worst from' },
  group_key: { displayName: 'group key' },
  dst_name: { displayName: 'name' },
};

/** One table frame, columns as QuestDB returned them (value, loss_pct, samples get units). */
export function toTableFrame(reply: QuestDbReply, query: PingSphereQuery, sql: string): DataFrame {
  const fields: Field[] = reply.columns.map((column, index) => {
    const type = fieldTypeOf(column.type);
    return {
      name: column.name,
      type,
      config: column.name === 'value' ? valueConfig(query) : (columnConfig[column.name] ?? {}),
      values: reply.dataset.map((row) => cell(type, row[index])),
    };
  });
  return createDataFrame({
    refId: query.refId,
    fields,
    meta: { preferredVisualisationType: 'table', executedQueryString: sql },
  });
}

/**
 * Time-series frames: rows `ts, dims…, value` split by the dims into one frame per series, each
 * sorted by time, with the dims as labels (so legends read "src=a, dst=b").
 */
export function toTimeSeriesFrames(
  reply: QuestDbReply,
  query: PingSphereQuery,
  built: Pick<BuiltSql, 'sql' | 'keys' | 'attributes'>,
): DataFrame[] {
  const sql = built.sql;
  const index = new Map(reply.columns.map((c, i) => [c.name, i]));
  const tsIndex = index.get('ts');
  const valueIndex = index.get('value');
  if (tsIndex === undefined || valueIndex === undefined) {
    throw new Error(`time-series reply lacks ts or value columns: ${reply.columns.map((c) => c.name).join(', ')}`);
  }
  const keys = built.keys.filter((d) => index.has(d));
  const attributes = built.attributes.filter((d) => index.has(d));
  const dims = [...keys, ...attributes];
  const series = new Map<string, { labels: Record<string, string>; times: number[]; values: Array<number | null> }>();
  for (const row of reply.dataset) {
    const key = keys.map((d) => String(row[index.get(d)!] ?? '')).join('\u0000');
    let entry = series.get(key);
    if (!entry) {
      const labels: Record<string, string> = {};
      for (const d of keys) labels[d] = String(row[index.get(d)!] ?? '');
      series.set(key, (entry = { labels, times: [], values: [] }));
    }
    // A location learned part-way through the range labels the whole series.
    for (const d of attributes) if (row[index.get(d)!]) entry.labels[d] = String(row[index.get(d)!]);
    entry.times.push(cell(FieldType.time, row[tsIndex]) as number);
    entry.values.push(row[valueIndex] === null ? null : Number(row[valueIndex]));
  }
  return [...series.values()].map(({ labels, times, values }) => {
    const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
    const name = seriesName(labels, dims);
    return createDataFrame({
      refId: query.refId,
      name,
      fields: [
        { name: 'Time', type: FieldType.time, config: {}, values: order.map((i) => times[i]) },
        {
          name: 'value',
          type: FieldType.number,
          labels,
          config: { ...valueConfig(query), displayNameFromDS: name },
          values: order.map((i) => values[i]),
        },
      ],
      meta: { type: DataFrameType.TimeSeriesMulti, executedQueryString: sql },
    });
  });
}

/** "a → b" for a src/dst pair, else the label values joined. */
function seriesName(labels: Record<string, string>, dims: Dimension[]): string {
  if (dims.length === 0) return 'mesh';
  const from = [labels.src, labels.src_loc].filter(Boolean).join(' ');
  const to = [labels.dst, labels.dst_loc].filter(Boolean).join(' ');
  if (from && to) return `${from} → ${to}`;
  return dims.map((d) => labels[d]).join(' ');
}
