import { DataFrameType, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { fieldTypeOf, toTableFrame, toTimeSeriesFrames } from './frames';
import type { QuestDbReply } from './questdb-client';
import type { PingSphereQuery } from './types';

const q = (patch: Partial<PingSphereQuery> = {}): PingSphereQuery => ({
  refId: 'A',
  family: 'icmp',
  stat: 'p50',
  groupBy: ['src', 'dst'],
  format: 'time_series',
  ...patch,
});

describe('frames', () => {
  it('maps QuestDB column types to Grafana field types', () => {
    expect(fieldTypeOf('TIMESTAMP')).toBe(FieldType.time);
    expect(fieldTypeOf('DOUBLE')).toBe(FieldType.number);
    expect(fieldTypeOf('LONG')).toBe(FieldType.number);
    expect(fieldTypeOf('SYMBOL')).toBe(FieldType.string);
    expect(fieldTypeOf('VARCHAR')).toBe(FieldType.string);
    expect(fieldTypeOf('BOOLEAN')).toBe(FieldType.boolean);
  });

  it('splits time-series rows into one frame per pair, sorted by time, labelled, with the unit', () => {
    const reply: QuestDbReply = {
      columns: [
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'src', type: 'SYMBOL' },
        { name: 'dst', type: 'VARCHAR' },
        { name: 'value', type: 'DOUBLE' },
      ],
      dataset: [
        ['2026-11-23T10:00:01.000000Z', 'a', 'b', 2],
        ['2026-11-23T10:00:00.000000Z', 'a', 'b', 1],
        ['2026-11-23T10:00:00.000000Z', 'b', 'a', null],
      ],
      count: 3,
    };
    const frames = toTimeSeriesFrames(reply, q(), { sql: 'SQL', keys: ['src', 'dst'], attributes: [] });
    expect(frames).toHaveLength(2);
    const [ab, ba] = frames;
    expect(ab!.name).toBe('a → b');
    expect(ab!.fields[0]!.values).toEqual([Date.parse('2026-11-23T10:00:00Z'), Date.parse('2026-11-23T10:00:01Z')]);
    expect(ab!.fields[1]!.values).toEqual([1, 2]);
    expect(ab!.fields[1]!.labels).toEqual({ src: 'a', dst: 'b' });
    expect(ab!.fields[1]!.config.unit).toBe('ms');
    expect(ab!.meta).toMatchObject({ type: DataFrameType.TimeSeriesMulti, executedQueryString: 'SQL' });
    expect(ba!.fields[1]!.values).toEqual([null]);
  });

  it('labels a series with a location learned part-way through instead of splitting it', () => {
    const reply: QuestDbReply = {
      columns: [
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'src', type: 'SYMBOL' },
        { name: 'dst', type: 'SYMBOL' },
        { name: 'dst_loc', type: 'SYMBOL' },
        { name: 'value', type: 'DOUBLE' },
      ],
      dataset: [
        ['2026-11-23T10:00:00.000000Z', 'a', 'b', null, 1],
        ['2026-11-23T10:00:01.000000Z', 'a', 'b', 'Oslo,NO', 2],
      ],
      count: 2,
    };
    const frames = toTimeSeriesFrames(reply, q({ groupBy: ['src', 'dst', 'dst_loc'] }), {
      sql: '',
      keys: ['src', 'dst'],
      attributes: ['dst_loc'],
    });
    expect(frames).toHaveLength(1);
    expect(frames[0]!.fields[1]!.labels).toEqual({ src: 'a', dst: 'b', dst_loc: 'Oslo,NO' });
    expect(frames[0]!.name).toBe('a → b Oslo,NO');
  });

  it('keeps a table as one frame with loss in percent and samples as counts', () => {
    const reply: QuestDbReply = {
      columns: [
        { name: 'src', type: 'SYMBOL' },
        { name: 'value', type: 'DOUBLE' },
        { name: 'loss_pct', type: 'DOUBLE' },
        { name: 'samples', type: 'LONG' },
      ],
      dataset: [['a', 12.5, 0, 40]],
      count: 1,
    };
    const frame = toTableFrame(reply, q({ format: 'table', stat: 'loss_pct' }), 'SQL');
    expect(frame.length).toBe(1);
    expect(frame.fields.map((f) => [f.name, f.type, f.config.unit])).toEqual([
      ['src', FieldType.string, undefined],
      ['value', FieldType.number, 'percent'],
      ['loss_pct', FieldType.number, 'percent'],
      ['samples', FieldType.number, 'none'],
    ]);
  });
});
