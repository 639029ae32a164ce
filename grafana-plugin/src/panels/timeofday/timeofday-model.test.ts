import { createDataFrame, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { buildTimeOfDay as build, localCalendar, type TimeOfDayGrid } from './timeofday-model';

function buildTimeOfDay(...args: Parameters<typeof build>): TimeOfDayGrid {
  const grid = build(...args);
  if ('needs' in grid) throw new Error(`field problem: ${grid.needs.join(', ')}`);
  return grid;
}

function series(points: Array<[string, number]>) {
  return createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: points.map((p) => Date.parse(p[0])) },
      { name: 'value', type: FieldType.number, values: points.map((p) => p[1]), config: { unit: 'ms' } },
    ],
  });
}

describe('time of day', () => {
  it('reads weekday, date and hour in the given zone, half-hour offsets included', () => {
    const at = Date.parse('2026-11-23T23:45:00Z'); // a Monday in UTC
    expect(localCalendar('UTC')(at)).toEqual({ weekday: 0, date: '2026-11-23', hour: 23 });
    expect(localCalendar('Asia/Kolkata')(at)).toEqual({ weekday: 1, date: '2026-11-24', hour: 5 }); // 05:15
    expect(localCalendar('America/New_York')(at)).toEqual({ weekday: 0, date: '2026-11-23', hour: 18 });
  });

  it('averages every point of every series into its weekday × hour cell and finds the peak hour', () => {
    const frames = [
      series([
        ['2026-11-23T14:10:00Z', 10],
        ['2026-11-23T14:20:00Z', 30],
        ['2026-11-30T14:05:00Z', 20], // next Monday, same hour
        ['2026-11-24T03:00:00Z', 2],
      ]),
      series([['2026-11-23T14:30:00Z', 40]]),
    ];
    const grid = buildTimeOfDay(frames, 'UTC', 'weekday');
    expect(grid.days).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(grid.mean[0 * 24 + 14]).toBe(25);
    expect(grid.count[0 * 24 + 14]).toBe(4);
    expect(grid.mean[1 * 24 + 3]).toBe(2);
    expect(grid.mean[2 * 24 + 3]).toBeNaN();
    expect(grid.peakHour).toBe(14);
    expect(grid.valueField.config.unit).toBe('ms');
  });

  it('moves points to the dashboard zone hour, and lists dates when asked for dates', () => {
    const frames = [series([['2026-11-23T14:10:00Z', 10]])];
    const paris = buildTimeOfDay(frames, 'Europe/Paris', 'date');
    expect(paris.days).toEqual(['2026-11-23']);
    expect(paris.mean[15]).toBe(10);
  });

  it('names what it needs when no frame has a time and a number field', () => {
    const table = createDataFrame({ fields: [{ name: 'src', type: FieldType.string, values: ['a'] }] });
    expect(build([table], 'UTC', 'weekday')).toEqual({ needs: ['a time field', 'a number field'], found: ['src'] });
  });

  it('reads the mapped time and value fields of a table (a PostgreSQL query with several numbers)', () => {
    const table = createDataFrame({
      fields: [
        { name: 'sent', type: FieldType.time, values: [Date.parse('2026-11-23T14:10:00Z')] },
        { name: 'samples', type: FieldType.number, values: [600] },
        { name: 'rtt', type: FieldType.number, values: [12] },
      ],
    });
    expect(buildTimeOfDay([table], 'UTC', 'weekday', { time: 'sent', value: 'rtt' }).mean[14]).toBe(12);
    expect(build([table], 'UTC', 'weekday', { time: 'sent', value: 'rtt_ms' })).toMatchObject({
      needs: ['sent', 'rtt_ms'],
    });
  });
});
