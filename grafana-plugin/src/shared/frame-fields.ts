// Reads the pairs (source → target with a value) the matrix and the geo map draw from whatever
// frames a datasource returns: a table (our datasource, Grafana's PostgreSQL datasource, a
// Prometheus query after a reduce / labels-to-fields step) or time series with the pair in their
// labels (Prometheus read directly, our datasource's time series). Which field or label plays
// which part is the panel's field mapping; a pair seen on several rows (a series over time) is
// reduced with one of Grafana's field reducers.
import { FieldType, getFieldDisplayName, type DataFrame, type Field } from '@grafana/data';

/** Which field (or label) of the frames holds each part of a pair. Saved in the panel's options. */
export interface PairFieldMapping {
  source: string;
  target: string;
  value: string;
  loss: string;
  samples: string;
  sourceLocation: string;
  targetLocation: string;
  /** Optional: how many targets a cell stands for, and how many of them are down (the ICMP group matrix). */
  targets: string;
  down: string;
  /** Grafana reducer id (ReducerID) for pairs that appear on several rows, e.g. a time series. */
  reducer: string;
}

/** Today's names: the PingSphere datasource's table columns, so saved dashboards keep working. */
export const defaultPairFields: PairFieldMapping = {
  source: 'src',
  target: 'dst',
  value: 'value',
  loss: 'loss_pct',
  samples: 'samples',
  sourceLocation: 'src_loc',
  targetLocation: 'dst_loc',
  targets: 'targets',
  down: 'targets_down',
  reducer: 'mean',
};

/** One row of a frame that names a pair: where it came from, so data links can point at it. */
export interface PairRow {
  src: string;
  dst: string;
  srcLoc: string;
  dstLoc: string;
  value: number;
  lossPct: number;
  samples: number;
  /** Targets behind the pair and how many are down (NaN without those fields). */
  targets: number;
  down: number;
  frameIndex: number;
  rowIndex: number;
}

export interface PairTable {
  rows: PairRow[];
  /** The value field of the first frame read (its config: unit, decimals, colours). */
  valueField: Field;
  /** Each frame's value field (undefined for frames without the mapped fields): data links per row. */
  valueFields: Array<Field | undefined>;
  lossField: Field | undefined;
  frames: DataFrame[];
}

/** Why no pair could be read: the names the mapping asks for and what the frames hold. */
export interface FieldProblem {
  needs: string[];
  found: string[];
}

/** A column of one frame: a field's values, or a label of the value field (the same on every row). */
type Column = { field: Field } | { label: string } | undefined;

/** A field by name or by the name Grafana displays for it (legends, field overrides). */
export function findField(frame: DataFrame, name: string, type?: FieldType): Field | undefined {
  if (!name) return undefined;
  const fits = (f: Field) => !type || f.type === type;
  return (
    frame.fields.find((f) => f.name === name && fits(f)) ??
    frame.fields.find((f) => fits(f) && (f.config.displayName === name || getFieldDisplayName(f, frame) === name))
  );
}

function column(frame: DataFrame, valueField: Field, name: string): Column {
  const field = findField(frame, name);
  if (field) return { field };
  const label = valueField.labels?.[name];
  return label === undefined ? undefined : { label };
}

function textAt(c: Column, row: number): string {
  if (!c) return '';
  if ('label' in c) return c.label;
  const v = c.field.values[row];
  return v === null || v === undefined ? '' : String(v);
}

function numberAt(f: Field | undefined, row: number): number {
  const v = f?.values[row];
  return typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v);
}

/** What the frames hold, for the "found" half of a field problem: field names, then label names. */
export function describeFrames(series: DataFrame[]): string[] {
  const names = new Set<string>();
  const labels = new Set<string>();
  for (const frame of series) {
    for (const f of frame.fields) {
      names.add(f.name);
      for (const key of Object.keys(f.labels ?? {})) labels.add(key);
    }
  }
  return [...names, ...[...labels].map((l) => `label ${l}`)];
}

/**
 * Every pair row of every frame that has the mapped source, target and value; a field problem
 * when none has them. Rows keep their frame and row index (data links, reductions).
 */
export function readPairTable(series: DataFrame[], mapping: PairFieldMapping): { table: PairTable } | FieldProblem {
  const rows: PairRow[] = [];
  const valueFields: Array<Field | undefined> = series.map(() => undefined);
  let first: { value: Field; loss: Field | undefined } | undefined;
  series.forEach((frame, frameIndex) => {
    const value = findField(frame, mapping.value, FieldType.number);
    if (!value) return;
    const src = column(frame, value, mapping.source);
    const dst = column(frame, value, mapping.target);
    if (!src || !dst) return;
    const srcLoc = column(frame, value, mapping.sourceLocation);
    const dstLoc = column(frame, value, mapping.targetLocation);
    const loss = findField(frame, mapping.loss, FieldType.number);
    const samples = findField(frame, mapping.samples, FieldType.number);
    const targets = findField(frame, mapping.targets, FieldType.number);
    const down = findField(frame, mapping.down, FieldType.number);
    first ??= { value, loss };
    valueFields[frameIndex] = value;
    for (let r = 0; r < frame.length; r++) {
      rows.push({
        src: textAt(src, r),
        dst: textAt(dst, r),
        srcLoc: textAt(srcLoc, r),
        dstLoc: textAt(dstLoc, r),
        value: numberAt(value, r),
        lossPct: numberAt(loss, r),
        samples: numberAt(samples, r),
        targets: numberAt(targets, r),
        down: numberAt(down, r),
        frameIndex,
        rowIndex: r,
      });
    }
  });
  if (!first) return { needs: [mapping.source, mapping.target, mapping.value], found: describeFrames(series) };
  return { table: { rows, valueField: first.value, valueFields, lossField: first.loss, frames: series } };
}

/** The sentence a panel shows for a field problem, naming the fix. */
export function describeFieldProblem(problem: FieldProblem, what: string): { title: string; hint: string } {
  const found = problem.found.length ? problem.found.join(', ') : 'no fields';
  return {
    title: `This panel needs ${what}: fields (or labels) ${problem.needs.join(', ')}; found ${found}`,
    hint: 'Set the field names under Fields in the panel options, or query the PingSphere datasource with Format = Table grouped by src, dst, src_loc and dst_loc.',
  };
}
