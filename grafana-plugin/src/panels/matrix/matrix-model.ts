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
  const rowsFirst = [...rowNodes.values()];
  const colsFirst = [...colNodes.values()];
  const rowIndex0 = new Map(rowsFirst.map((n, i) => [n.name, i]));
  const colIndex0 = new Map(colsFirst.map((n, i) => [n.name, i]));
  const cells = mergePairs(table.rows, rowIndex0, colIndex0, colsFirst.length, mapping.reducer);
  // Row score for "value" order: mean of the row's values.
  const score = new Map<string, number>();
  rowsFirst.forEach((node, r) => {
    let sum = 0;
    let n = 0;
    for (let c = 0; c < colsFirst.length; c++) {
      const v = cells.values[r * colsFirst.length + c]!;
      if (Number.isFinite(v)) [sum, n] = [sum + v, n + 1];
    }
    if (n) score.set(node.name, sum / n);
  });
  const rows = [...rowsFirst].sort(compareNodes(order, score));
  const cols = [...colsFirst].sort(compareNodes(order === 'value' ? 'location' : order, score));
  const rowIndex = new Map(rows.map((n, i) => [n.name, i]));
  const colIndex = new Map(cols.map((n, i) => [n.name, i]));
  const size = rows.length * cols.length;
  const matrix: LatencyMatrix = {
    rows,
    cols,
    values: new Float64Array(size).fill(NaN),
    loss: new Float64Array(size).fill(NaN),
    samples: new Float64Array(size).fill(NaN),
    cellFrame: new Int32Array(size).fill(-1),
    cellRow: new Int32Array(size).fill(-1),
    rowAsCol: Int32Array.from(rows, (n) => colIndex.get(n.name) ?? -1),
    colAsRow: Int32Array.from(cols, (n) => rowIndex.get(n.name) ?? -1),
    valueField: table.valueField,
    lossField: table.lossField,
    valueFields: table.valueFields,
    frames: table.frames,
  };
  // Reorder the cells from first-seen order into display order.
  const rowMap = Int32Array.from(rowsFirst, (n) => rowIndex.get(n.name)!);
  const colMap = Int32Array.from(colsFirst, (n) => colIndex.get(n.name)!);
  for (let r = 0; r < rowsFirst.length; r++) {
    for (let c = 0; c < colsFirst.length; c++) {
      const from = r * colsFirst.length + c;
      if (cells.frame[from]! < 0) continue;
      const to = rowMap[r]! * cols.length + colMap[c]!;
      matrix.values[to] = cells.values[from]!;
      matrix.loss[to] = cells.loss[from]!;
      matrix.samples[to] = cells.samples[from]!;
      matrix.cellFrame[to] = cells.frame[from]!;
      matrix.cellRow[to] = cells.row[from]!;
    }
  }
  return matrix;
}

/** Rows → cells in first-seen order; a cell read more than once is reduced (values, losses) and summed (samples). */
function mergePairs(
  rows: PairRow[],
  rowIndex: Map<string, number>,
  colIndex: Map<string, number>,
  colCount: number,
  reducer: string,
) {
  const size = rowIndex.size * colCount;
  const cells = {
    values: new Float64Array(size).fill(NaN),
    loss: new Float64Array(size).fill(NaN),
    samples: new Float64Array(size).fill(NaN),
    frame: new Int32Array(size).fill(-1),
    row: new Int32Array(size).fill(-1),
  };
  const repeated = new Map<number, PairRow[]>();
  const firstRow = new Int32Array(size).fill(-1);
  rows.forEach((row, i) => {
    const k = rowIndex.get(row.src)! * colCount + colIndex.get(row.dst)!;
    if (firstRow[k]! < 0) firstRow[k] = i;
    else {
      const list = repeated.get(k);
      if (list) list.push(row);
      else repeated.set(k, [rows[firstRow[k]!]!, row]);
    }
    cells.values[k] = row.value;
    cells.loss[k] = row.lossPct;
    cells.samples[k] = row.samples;
    cells.frame[k] = row.frameIndex;
    cells.row[k] = row.rowIndex;
  });
  for (const [k, list] of repeated) {
    cells.values[k] = reduceValues(list.map((r) => r.value).filter(Number.isFinite), reducer);
    const losses = list.map((r) => r.lossPct).filter(Number.isFinite);
    cells.loss[k] = losses.length ? reduceValues(losses, reducer) : NaN;
    const samples = list.map((r) => r.samples).filter(Number.isFinite);
    cells.samples[k] = samples.length ? samples.reduce((a, b) => a + b, 0) : NaN;
  }
  return cells;
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
