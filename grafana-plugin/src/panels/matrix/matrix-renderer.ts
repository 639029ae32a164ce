// Draws the matrix on a canvas: one pixel per cell into an ImageData, scaled up without
// smoothing (one drawImage for the whole grid), then loss marks, group lines and labels.
import type { ColourScale } from '../../shared/colour-scale';
import { cellAt, type MatrixLayout } from './matrix-layout';
import { locationGroups, type LatencyMatrix } from './matrix-model';

/** Colours that are not on any value scale, so loss never reads as a latency. */
export const lossColours = { total: [142, 36, 170] as const, partial: '#8e24aa' };

export interface MatrixPaint {
  matrix: LatencyMatrix;
  /** What colours the cells: the statistic, or A→B − B→A in asymmetry mode. */
  cellValues: Float64Array;
  scale: ColourScale;
  layout: MatrixLayout;
  /** Loss at or above this percentage gets the partial-loss mark. */
  lossThresholdPct: number;
  groupedByLocation: boolean;
  textColour: string;
  lineColour: string;
}

/** Paints the whole matrix; `ctx` is a canvas already sized for the panel (devicePixelRatio applied). */
export function paintMatrix(ctx: CanvasRenderingContext2D, paint: MatrixPaint, width: number, height: number): void {
  const { matrix, cellValues, scale, layout } = paint;
  ctx.clearRect(0, 0, width, height);
  if (layout.rows === 0 || layout.cols === 0) return;
  const image = new ImageData(layout.cols, layout.rows);
  const pixels = image.data;
  const lut = scale.lut;
  for (let k = 0; k < cellValues.length; k++) {
    const v = cellValues[k]!;
    const p = k * 4;
    if (matrix.loss[k]! >= 100) {
      pixels[p] = lossColours.total[0];
      pixels[p + 1] = lossColours.total[1];
      pixels[p + 2] = lossColours.total[2];
      pixels[p + 3] = 255;
    } else if (v === v) {
      const i = scale.index(v) * 4;
      pixels[p] = lut[i]!;
      pixels[p + 1] = lut[i + 1]!;
      pixels[p + 2] = lut[i + 2]!;
      pixels[p + 3] = 255;
    }
  }
  const bitmap = document.createElement('canvas');
  bitmap.width = layout.cols;
  bitmap.height = layout.rows;
  bitmap.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, layout.gridX, layout.gridY, layout.cols * layout.cell, layout.rows * layout.cell);
  paintPartialLoss(ctx, paint);
  paintGroups(ctx, paint);
  if (layout.showLabels) paintLabels(ctx, paint);
}

/** A triangle in the top-right corner of every cell with some (not total) loss. */
function paintPartialLoss(ctx: CanvasRenderingContext2D, { matrix, layout, lossThresholdPct }: MatrixPaint): void {
  const size = Math.max(2, layout.cell * 0.45);
  ctx.fillStyle = lossColours.partial;
  ctx.beginPath();
  for (let k = 0; k < matrix.loss.length; k++) {
    const loss = matrix.loss[k]!;
    if (!(loss >= lossThresholdPct && loss > 0 && loss < 100)) continue;
    const x = layout.gridX + ((k % layout.cols) + 1) * layout.cell;
    const y = layout.gridY + Math.floor(k / layout.cols) * layout.cell;
    ctx.moveTo(x - size, y);
    ctx.lineTo(x, y);
    ctx.lineTo(x, y + size);
    ctx.closePath();
  }
  ctx.fill();
}

function paintGroups(ctx: CanvasRenderingContext2D, paint: MatrixPaint): void {
  if (!paint.groupedByLocation) return;
  const { layout, matrix } = paint;
  const right = layout.gridX + layout.cols * layout.cell;
  const bottom = layout.gridY + layout.rows * layout.cell;
  ctx.strokeStyle = paint.lineColour;
  ctx.fillStyle = paint.textColour;
  ctx.lineWidth = 1;
  ctx.font = '10px sans-serif';
  ctx.textBaseline = 'middle';
  const band = layout.bandSize;
  for (const group of locationGroups(matrix.rows)) {
    const y0 = layout.gridY + group.start * layout.cell;
    const y1 = layout.gridY + group.end * layout.cell;
    if (group.start > 0) line(ctx, layout.gridX, y0, right, y0);
    ctx.save();
    ctx.translate(band / 2, (y0 + y1) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    fitText(ctx, group.location || 'unknown', y1 - y0);
    ctx.restore();
  }
  for (const group of locationGroups(matrix.cols)) {
    const x0 = layout.gridX + group.start * layout.cell;
    const x1 = layout.gridX + group.end * layout.cell;
    if (group.start > 0) line(ctx, x0, layout.gridY, x0, bottom);
    ctx.save();
    ctx.translate((x0 + x1) / 2, band / 2);
    ctx.textAlign = 'center';
    fitText(ctx, group.location || 'unknown', x1 - x0);
    ctx.restore();
  }
}

function paintLabels(ctx: CanvasRenderingContext2D, { matrix, layout, textColour }: MatrixPaint): void {
  ctx.fillStyle = textColour;
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  matrix.rows.forEach((node, row) => {
    const y = layout.gridY + (row + 0.5) * layout.cell;
    ctx.fillText(node.name, layout.gridX - 4, y, layout.labelWidth - 6);
  });
  matrix.cols.forEach((node, col) => {
    ctx.save();
    ctx.translate(layout.gridX + (col + 0.5) * layout.cell, layout.gridY - 4);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    ctx.fillText(node.name, 0, 0, layout.labelWidth - 6);
    ctx.restore();
  });
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0 + 0.5, y0 + 0.5);
  ctx.lineTo(x1 + 0.5, y1 + 0.5);
  ctx.stroke();
}

function fitText(ctx: CanvasRenderingContext2D, text: string, room: number): void {
  if (room < 12) return;
  ctx.fillText(text, 0, 0, room - 2);
}

/** Outlines the hovered cell and its reverse pair on the overlay canvas. */
export function paintHover(
  ctx: CanvasRenderingContext2D,
  layout: MatrixLayout,
  width: number,
  height: number,
  cells: Array<{ row: number; col: number; colour: string }>,
): void {
  ctx.clearRect(0, 0, width, height);
  ctx.lineWidth = 2;
  for (const { row, col, colour } of cells) {
    ctx.strokeStyle = colour;
    const size = Math.max(layout.cell, 4);
    ctx.strokeRect(layout.gridX + col * layout.cell - 1, layout.gridY + row * layout.cell - 1, size + 2, size + 2);
  }
}

export { cellAt };
