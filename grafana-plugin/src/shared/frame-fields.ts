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

/** One row of the datasource's pair table: src → dst with its statistic, loss and sample count. */
export interface PairRow {
  src: string;
  dst: string;
  srcLoc: string;
  dstLoc: string;
  value: number;
  lossPct: number;
  samples: number;
}

/** The pair table the matrix and the map read; undefined when no frame has src, dst and value. */
export function readPairTable(series: DataFrame[]): { rows: PairRow[]; unit: string | undefined } | undefined {
  const frame = findTableFrame(series, ['src', 'dst', 'value']);
  if (!frame) return undefined;
  const [src, dst, value, loss, samples, srcLoc, dstLoc] = [
    'src',
    'dst',
    'value',
    'loss_pct',
    'samples',
    'src_loc',
    'dst_loc',
  ].map((n) => field(frame, n));
  const rows: PairRow[] = [];
  for (let r = 0; r < frame.length; r++) {
    rows.push({
      src: stringAt(src, r),
      dst: stringAt(dst, r),
      srcLoc: stringAt(srcLoc, r),
      dstLoc: stringAt(dstLoc, r),
      value: numberAt(value, r),
      lossPct: numberAt(loss, r),
      samples: numberAt(samples, r),
    });
  }
  return { rows, unit: value?.config.unit };
}
