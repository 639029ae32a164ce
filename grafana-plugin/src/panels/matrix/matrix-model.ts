// A table frame (src, dst, value, loss_pct, samples, src_loc, dst_loc) → a dense source ×
// destination matrix in typed arrays, ordered for display, with the reverse direction of every
// pair one index away (for the tooltip and the asymmetry view).
import type { DataFrame } from '@grafana/data';
import { readPairTable } from '../../shared/frame-fields';

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
  /** Column index of each row's node (−1 when that name is no column), for reverse lookups. */
  rowAsCol: Int32Array;
  /** Row index of each column's node (−1 when that name is no row). */
  colAsRow: Int32Array;
  unit: string | undefined;
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

/** Builds the matrix from the panel's frames; undefined when no frame has src, dst and value. */
export function buildMatrix(series: DataFrame[], order: MatrixOrder = 'location'): LatencyMatrix | undefined {
  const table = readPairTable(series);
  if (!table) return undefined;
  const rowNodes = new Map<string, MatrixNode>();
  const colNodes = new Map<string, MatrixNode>();
  const locationOf = new Map<string, string>();
  for (const { src, dst, srcLoc, dstLoc } of table.rows) {
    if (!rowNodes.has(src)) rowNodes.set(src, { name: src, location: srcLoc });
    if (!colNodes.has(dst)) colNodes.set(dst, { name: dst, location: dstLoc });
    if (srcLoc) locationOf.set(src, srcLoc);
  }
  // A target that is also a collector has that collector's location even if the query had none.
  for (const node of colNodes.values()) if (!node.location) node.location = locationOf.get(node.name) ?? '';
  // Row score for "value" order: mean of the row's values.
  const sums = new Map<string, [number, number]>();
  for (const { src, value } of table.rows) {
    if (!Number.isFinite(value)) continue;
    const entry = sums.get(src) ?? [0, 0];
    entry[0] += value;
    entry[1] += 1;
    sums.set(src, entry);
  }
  const score = new Map([...sums].map(([k, [sum, n]]) => [k, sum / n]));
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
    rowAsCol: Int32Array.from(rows, (n) => colIndex.get(n.name) ?? -1),
    colAsRow: Int32Array.from(cols, (n) => rowIndex.get(n.name) ?? -1),
    unit: table.unit,
  };
  for (const row of table.rows) {
    const k = rowIndex.get(row.src)! * cols.length + colIndex.get(row.dst)!;
    matrix.values[k] = row.value;
    matrix.loss[k] = row.lossPct;
    matrix.samples[k] = row.samples;
  }
  return matrix;
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
