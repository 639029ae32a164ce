// Time-series frames → a day × hour-of-day grid of the statistic in a given time zone: the mean
// of the points that fall in each cell (across series and, for weekdays, across weeks).
import { FieldType, type DataFrame, type Field } from '@grafana/data';
import { describeFrames, findField, type FieldProblem } from '../../shared/frame-fields';

/** Which fields hold the time and the value; empty = the frame's first time / number field. */
export interface TimeOfDayFields {
  time: string;
  value: string;
}

export type DayAxis = 'weekday' | 'date';

export interface TimeOfDayGrid {
  /** Row labels: "Mon"…"Sun" or ISO dates "2026-11-23". */
  days: string[];
  /** Row-major days × 24: mean, point count. NaN where nothing fell. */
  mean: Float64Array;
  count: Uint32Array;
  /** The value field of the first frame read: its standard options format and colour the cells. */
  valueField: Field;
  /** The hour (0-23) whose mean over all days is highest, and the mean of all points. */
  peakHour: number;
  peakMean: number;
  overallMean: number;
}

export const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const quarterHourMs = 15 * 60_000;

/**
 * Local (weekday index 0 = Monday, ISO date, hour) of an instant in `timeZone`. Every zone's offset
 * is a whole number of quarter hours, so one lookup per quarter hour serves all points in it.
 */
export function localCalendar(timeZone: string): (ms: number) => { weekday: number; date: string; hour: number } {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  const cache = new Map<number, { weekday: number; date: string; hour: number }>();
  return (ms) => {
    const key = Math.floor(ms / quarterHourMs);
    let hit = cache.get(key);
    if (!hit) {
      const parts = Object.fromEntries(format.formatToParts(key * quarterHourMs).map((p) => [p.type, p.value]));
      hit = {
        weekday: weekdays.indexOf(parts.weekday!),
        date: `${parts.year}-${parts.month}-${parts.day}`,
        hour: Number(parts.hour) % 24,
      };
      cache.set(key, hit);
    }
    return hit;
  };
}

/** The mapped field of a type, or the frame's first field of that type when the mapping is empty. */
function pick(frame: DataFrame, name: string, type: FieldType): Field | undefined {
  return name ? findField(frame, name, type) : frame.fields.find((f) => f.type === type);
}

/** Buckets every (time, value) point of every frame; a field problem when no frame has both fields. */
export function buildTimeOfDay(
  series: DataFrame[],
  timeZone: string,
  axis: DayAxis,
  fields: TimeOfDayFields = { time: '', value: '' },
): TimeOfDayGrid | FieldProblem {
  const calendar = localCalendar(timeZone);
  const points: Array<{ row: string | number; hour: number; value: number }> = [];
  let valueField: Field | undefined;
  for (const frame of series) {
    const time = pick(frame, fields.time, FieldType.time);
    const value = pick(frame, fields.value, FieldType.number);
    if (!time || !value) continue;
    valueField ??= value;
    for (let i = 0; i < frame.length; i++) {
      const v = value.values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const at = calendar(Number(time.values[i]));
      points.push({ row: axis === 'weekday' ? at.weekday : at.date, hour: at.hour, value: v });
    }
  }
  if (!valueField) {
    return {
      needs: [fields.time || 'a time field', fields.value || 'a number field'],
      found: describeFrames(series),
    };
  }
  const days = axis === 'weekday' ? weekdays : [...new Set(points.map((p) => p.row as string))].sort();
  const rowOf = new Map<string | number, number>(
    axis === 'weekday' ? weekdays.map((_, i) => [i, i]) : days.map((d, i) => [d, i]),
  );
  const sum = new Float64Array(days.length * 24);
  const count = new Uint32Array(days.length * 24);
  const hourSum = new Float64Array(24);
  const hourCount = new Uint32Array(24);
  let total = 0;
  for (const p of points) {
    const k = rowOf.get(p.row)! * 24 + p.hour;
    sum[k] = sum[k]! + p.value;
    count[k] = count[k]! + 1;
    hourSum[p.hour] = hourSum[p.hour]! + p.value;
    hourCount[p.hour] = hourCount[p.hour]! + 1;
    total += p.value;
  }
  const mean = sum.map((s, k) => (count[k] ? s / count[k]! : NaN));
  let peakHour = 0;
  let peakMean = -Infinity;
  for (let h = 0; h < 24; h++) {
    const m = hourCount[h] ? hourSum[h]! / hourCount[h]! : -Infinity;
    if (m > peakMean) [peakHour, peakMean] = [h, m];
  }
  return {
    days,
    mean,
    count,
    valueField,
    peakHour,
    peakMean,
    overallMean: points.length ? total / points.length : NaN,
  };
}
