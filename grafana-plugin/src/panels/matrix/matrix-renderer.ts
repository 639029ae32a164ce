// Draws the matrix on a canvas: one pixel per cell into an ImageData, scaled up without
// smoothing (one drawImage for the whole grid), then loss marks, group lines and labels.
import type { ColourScale } from '../../shared/colour-scale';
import { cellAt, type MatrixLayout } from './matrix-layout';
import { locationGroups, type LatencyMatrix } from './matrix-model';

/** Colours that are not on any value scale, so loss never reads as a latency. */
export const lossColours = { total: [142, 36, 170] as const, partial: 'rgb(142, 36, 170)' };

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
  const { layout } = paint;
  ctx.clearRect(0, 0, width, height);
  if (layout.rows === 0 || layout.cols === 0) return;
  const bitmap = document.createElement('canvas');
  bitmap.width = layout.cols * 2;
  bitmap.height = layout.rows * 2;
  bitmap.getContext('2d')!.putImageData(cellPixels(paint), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, layout.gridX, layout.gridY, layout.cols * layout.cell, layout.rows * layout.cell);
  paintGroups(ctx, paint);
  if (layout.showLabels) paintLabels(ctx, paint);
}

/**
 * Two by two pixels per cell: the cell's colour (purple for total loss), and for partial loss at or
 * above the threshold a purple top-right quarter. Scaled up without smoothing in one drawImage, so
 * 250,000 cells cost one pass over a typed array instead of 250,000 canvas calls.
 */
function cellPixels({ matrix, cellValues, scale, layout, lossThresholdPct }: MatrixPaint): ImageData {
  const width = layout.cols * 2;
  const image = new ImageData(width, layout.rows * 2);
  const pixels = image.data;
  const lut = scale.lut;
  const [lr, lg, lb] = lossColours.total;
  // Plain loops and locals only: at 250,000 cells an array per cell (destructuring, corner lists)
  // costs as much as the painting.
  const put = (offset: number, r: number, g: number, b: number) => {
    pixels[offset] = r;
    pixels[offset + 1] = g;
    pixels[offset + 2] = b;
    pixels[offset + 3] = 255;
  };
  for (let k = 0; k < cellValues.length; k++) {
    const v = cellValues[k]!;
    const loss = matrix.loss[k]!;
    let r: number;
    let g: number;
    let b: number;
    if (loss >= 100) {
      r = lr;
      g = lg;
      b = lb;
    } else if (v === v) {
      const i = scale.index(v) * 4;
      r = lut[i]!;
      g = lut[i + 1]!;
      b = lut[i + 2]!;
    } else continue; // no data: leave transparent
    const marked = loss > 0 && loss < 100 && loss >= lossThresholdPct;
    const row = Math.floor(k / layout.cols);
    const col = k - row * layout.cols;
    const topLeft = (row * 2 * width + col * 2) * 4;
    put(topLeft, r, g, b);
    if (marked) put(topLeft + 4, lr, lg, lb);
    else put(topLeft + 4, r, g, b);
    put(topLeft + width * 4, r, g, b);
    put(topLeft + width * 4 + 4, r, g, b);
  }
  return image;
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
