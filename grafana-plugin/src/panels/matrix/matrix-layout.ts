// Where every part of the matrix goes in the panel, and which cell a pointer is over. Pure
// arithmetic, so hit-testing a mouse move costs two divisions and no React render.
import type { LatencyMatrix } from './matrix-model';

export interface MatrixLayout {
  /** Top-left corner of the grid and the size of one (square) cell, in CSS pixels. */
  gridX: number;
  gridY: number;
  cell: number;
  rows: number;
  cols: number;
  /** Names are drawn beside rows / above columns only when a cell is tall enough to hold text. */
  showLabels: boolean;
  labelWidth: number;
  /** Band of location names when the matrix is grouped by location. */
  bandSize: number;
}

const labelFontPx = 11;

/** Fits the grid into width × height, leaving room for labels and location bands when they fit. */
export function layoutMatrix(
  matrix: Pick<LatencyMatrix, 'rows' | 'cols'>,
  width: number,
  height: number,
  groupedByLocation: boolean,
): MatrixLayout {
  const rows = matrix.rows.length;
  const cols = matrix.cols.length;
  const bandSize = groupedByLocation ? 16 : 0;
  const longest = Math.max(0, ...matrix.rows.map((n) => n.name.length), ...matrix.cols.map((n) => n.name.length));
  const labelWidth = Math.min(140, Math.ceil(longest * labelFontPx * 0.62) + 6);
  const fit = (margin: number) => Math.max(0, Math.min((width - margin) / cols, (height - margin) / rows));
  let cell = fit(bandSize + labelWidth);
  const showLabels = cell >= labelFontPx + 1;
  if (!showLabels) cell = fit(bandSize);
  const margin = bandSize + (showLabels ? labelWidth : 0);
  return { gridX: margin, gridY: margin, cell, rows, cols, showLabels, labelWidth, bandSize };
}

/** The cell under (x, y) in CSS pixels relative to the panel, or undefined outside the grid. */
export function cellAt(layout: MatrixLayout, x: number, y: number): { row: number; col: number } | undefined {
  if (layout.cell <= 0) return undefined;
  const col = Math.floor((x - layout.gridX) / layout.cell);
  const row = Math.floor((y - layout.gridY) / layout.cell);
  if (row < 0 || col < 0 || row >= layout.rows || col >= layout.cols) return undefined;
  return { row, col };
}
