// The pairs of the panel's frames (any datasource, through the field mapping) → a dense source ×
// destination matrix in typed arrays, ordered for display, with the reverse direction of every
// pair one index away (for the tooltip and the asymmetry view). The geo map reads the same model.
import { FieldType, reduceField, type DataFrame, type Field } from '@grafana/data';
import { readPairTable, type FieldProblem, type PairFieldMapping, type PairRow } from '../../shared/frame-fields';

/** A row or column of the matrix: a collector (row) or a target/peer (column). */
export interface MatrixNode {
  name: string;
  location: string;
}

export type MatrixOrder = 'name' | 'location' | 'value';

export interface LatencyMatrix {
  rows: MatrixNode[];
  cols: MatrixNode[];
  /** Row-major, rows.length × cols.length; NaN where the pair has no data. */
  values: Float64Array;
  loss: Float64Array;
  samples: Float64Array;
  /** Targets behind each cell and how many are down (NaN without those fields; the last row's value). */
  targets: Float64Array;
  down: Float64Array;
  /** Frame and row each cell was read from (the last one when a pair spans several rows), −1 if none: data links. */
  cellFrame: Int32Array;
  cellRow: Int32Array;
  /** Column index of each row's node (−1 when that name is no column), for reverse lookups. */
  rowAsCol: Int32Array;
  /** Row index of each column's node (−1 when that name is no row). */
  colAsRow: Int32Array;
  /** The fields the values and losses came from: their config formats and colours them. */
  valueField: Field;
  lossField: Field | undefined;
  /** Each frame's value field, for the data links of the row a cell came from. */
  valueFields: Array<Field | undefined>;
  frames: DataFrame[];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareNodes(order: MatrixOrder, score: Map<string, number>) {
  return (a: MatrixNode, b: MatrixNode): number => {
    if (order === 'location') {
      const byLocation = collator.compare(locationKey(a.location), locationKey(b.location));
      if (byLocation !== 0) return byLocation;
    }
    if (order === 'value') {
      const d = (score.get(a.name) ?? Infinity) - (score.get(b.name) ?? Infinity);
      if (d !== 0 && !Number.isNaN(d)) return d;
    }
    return collator.compare(a.name, b.name);
  };
}

/** "City,CC" sorts by country, then city, so a region's collectors sit together. */
function locationKey(location: string): string {
  const comma = location.lastIndexOf(',');
  return comma < 0 ? `~${location}` : `${location.slice(comma + 1).trim()},${location.slice(0, comma)}`;
}

/** One value out of several rows of the same pair, with a Grafana reducer (mean, last, max…). */
function reduceValues(values: number[], reducer: string): number {
  const field: Field = { name: 'value', type: FieldType.number, config: {}, values };
  const result = reduceField({ field, reducers: [reducer] })[reducer];
  return typeof result === 'number' ? result : NaN;
}

/**
 * Builds the matrix from the panel's frames through the field mapping; a field problem when no
 * frame has the mapped source, target and value. A pair read from several rows (a time series, or
 * a table with a time column) gets the mapping's reducer over its values and losses, and the sum
 * of its sample counts.
 */
export function buildMatrix(
  series: DataFrame[],
  mapping: PairFieldMapping,
  order: MatrixOrder = 'location',
): LatencyMatrix | FieldProblem {
  const read = readPairTable(series, mapping);
  if (!('table' in read)) return read;
  const table = read.table;
  const rowNodes = new Map<string, MatrixNode>();
  const colNodes = new Map<string, MatrixNode>();
  const locationOf = new Map<string, string>();
  for (const { src, dst, srcLoc, dstLoc } of table.rows) {
    if (!rowNodes.has(src)) rowNodes.set(src, { name: src, location: srcLoc });
    else if (srcLoc && !rowNodes.get(src)!.location) rowNodes.get(src)!.location = srcLoc;
    if (!colNodes.has(dst)) colNodes.set(dst, { name: dst, location: dstLoc });
    else if (dstLoc && !colNodes.get(dst)!.location) colNodes.get(dst)!.location = dstLoc;
    if (srcLoc) locationOf.set(src, srcLoc);
  }
  // A target that is also a collector has that collector's location even if the query had none.
  for (const node of colNodes.values()) if (!node.location) node.location = locationOf.get(node.name) ?? '';
  // Row score for "value" order: mean of the row's values.
  const score = new Map<string, number>();
  if (order === 'value') {
    const sums = new Map<string, [number, number]>();
    for (const { src, value } of table.rows) {
      if (!Number.isFinite(value)) continue;
      const entry = sums.get(src) ?? [0, 0];
      entry[0] += value;
      entry[1] += 1;
      sums.set(src, entry);
    }
    for (const [name, [sum, n]] of sums) score.set(name, sum / n);
  }
  const rows = [...rowNodes.values()].sort(compareNodes(order, score));
  const cols = [...colNodes.values()].sort(compareNodes(order === 'value' ? 'location' : order, score));
  const rowIndex = new Map(rows.map((n, i) => [n.name, i]));
  const colIndex = new Map(cols.map((n, i) => [n.name, i]));
  const size = rows.length * cols.length;
  const matrix: LatencyMatrix = {
    rows,
    cols,
    values: new Float64Array(size).fill(NaN),
    loss: new Float64Array(size).fill(NaN),
    samples: new Float64Array(size).fill(NaN),
    targets: new Float64Array(size).fill(NaN),
    down: new Float64Array(size).fill(NaN),
    cellFrame: new Int32Array(size).fill(-1),
    cellRow: new Int32Array(size).fill(-1),
    rowAsCol: Int32Array.from(rows, (n) => colIndex.get(n.name) ?? -1),
    colAsRow: Int32Array.from(cols, (n) => rowIndex.get(n.name) ?? -1),
    valueField: table.valueField,
    lossField: table.lossField,
    valueFields: table.valueFields,
    frames: table.frames,
  };
  fillCells(matrix, table.rows, rowIndex, colIndex, mapping.reducer);
  return matrix;
}

/**
 * Writes every row into its cell. A cell read more than once (a series over time) gets the
 * reducer over its values and losses and the sum of its samples; links point at its last row.
 */
function fillCells(
  matrix: LatencyMatrix,
  rows: PairRow[],
  rowIndex: Map<string, number>,
  colIndex: Map<string, number>,
  reducer: string,
): void {
  const colCount = matrix.cols.length;
  const repeated = new Map<number, Array<Pick<PairRow, 'value' | 'lossPct' | 'samples'>>>();
  for (const row of rows) {
    const k = rowIndex.get(row.src)! * colCount + colIndex.get(row.dst)!;
    if (matrix.cellFrame[k]! >= 0) {
      const list = repeated.get(k);
      if (list) list.push(row);
      else repeated.set(k, [{ value: matrix.values[k]!, lossPct: matrix.loss[k]!, samples: matrix.samples[k]! }, row]);
    }
    matrix.values[k] = row.value;
    matrix.loss[k] = row.lossPct;
    matrix.samples[k] = row.samples;
    matrix.targets[k] = row.targets;
    matrix.down[k] = row.down;
    matrix.cellFrame[k] = row.frameIndex;
    matrix.cellRow[k] = row.rowIndex;
  }
  for (const [k, list] of repeated) {
    matrix.values[k] = reduceValues(list.map((r) => r.value).filter(Number.isFinite), reducer);
    const losses = list.map((r) => r.lossPct).filter(Number.isFinite);
    matrix.loss[k] = losses.length ? reduceValues(losses, reducer) : NaN;
    const samples = list.map((r) => r.samples).filter(Number.isFinite);
    matrix.samples[k] = samples.length ? samples.reduce((a, b) => a + b, 0) : NaN;
  }
}

/** True when a build returned a field problem instead of a matrix. */
export function isFieldProblem(result: LatencyMatrix | FieldProblem): result is FieldProblem {
  return 'needs' in result;
}

/** Flat index of the reverse pair (B → A) of cell (row, col), or −1 when B is no collector or A no target. */
export function reverseIndex(matrix: LatencyMatrix, row: number, col: number): number {
  const reverseRow = matrix.colAsRow[col]!;
  const reverseCol = matrix.rowAsCol[row]!;
  return reverseRow < 0 || reverseCol < 0 ? -1 : reverseRow * matrix.cols.length + reverseCol;
}

/** A→B minus B→A for every cell (NaN where either direction has no value). */
export function asymmetry(matrix: LatencyMatrix): Float64Array {
  const out = new Float64Array(matrix.values.length).fill(NaN);
  for (let row = 0; row < matrix.rows.length; row++) {
    for (let col = 0; col < matrix.cols.length; col++) {
      const back = reverseIndex(matrix, row, col);
      if (back >= 0) {
        const k = row * matrix.cols.length + col;
        out[k] = matrix.values[k]! - matrix.values[back]!;
      }
    }
  }
  return out;
}

/** Runs of equal location along an ordering: [start, end) index ranges with their location. */
export function locationGroups(nodes: MatrixNode[]): Array<{ location: string; start: number; end: number }> {
  const groups: Array<{ location: string; start: number; end: number }> = [];
  nodes.forEach((node, i) => {
    const last = groups[groups.length - 1];
    if (last && last.location === node.location) last.end = i + 1;
    else groups.push({ location: node.location, start: i, end: i + 1 });
  });
  return groups;
}
