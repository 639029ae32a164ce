import type { DataFrame, Field } from '@grafana/data';

/** The first frame holding every one of `names` as fields (the datasource's table frame). */
export function findTableFrame(series: DataFrame[], names: string[]): DataFrame | undefined {
  return series.find((frame) => names.every((name) => frame.fields.some((f) => f.name === name)));
}

/** A field by name, or undefined. */
export function field(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name);
}

/** Numeric value of a cell (null and non-numbers become NaN). */
export function numberAt(f: Field | undefined, row: number): number {
  const v = f?.values[row];
  return typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v);
}

/** String value of a cell ('' when missing). */
export function stringAt(f: Field | undefined, row: number): string {
  const v = f?.values[row];
  return v === null || v === undefined ? '' : String(v);
}
