import React, { useLayoutEffect, useMemo, useRef } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { ColourScale, divergingPalette, fieldColourScale, finiteExtent } from '../../shared/colour-scale';
import { formatField } from '../../shared/display';
import { describeFieldProblem, defaultPairFields } from '../../shared/frame-fields';
import { Legend, legendHeightPx } from '../../shared/Legend';
import { sizeCanvas } from '../../shared/canvas';
import { followLink, linksAt } from '../../shared/links';
import { dataProblem, PanelMessage } from '../../shared/PanelMessage';
import { cellAt, layoutMatrix, type MatrixLayout } from './matrix-layout';
import { asymmetry, buildMatrix, isFieldProblem, reverseIndex, type LatencyMatrix } from './matrix-model';
import { downColour, lossColours, paintHover, paintMatrix } from './matrix-renderer';
import { defaultMatrixOptions, type MatrixOptions } from './types';

/** Loss as text: the loss field's display (unit, decimals), or a percentage when there is no such field. */
function lossText(matrix: LatencyMatrix, value: number, theme: GrafanaTheme2): string {
  if (matrix.lossField) return formatField(matrix.lossField, value, theme);
  return Number.isFinite(value) ? `${value}%` : 'no data';
}

/** Text of the tooltip for cell (row, col): both directions, loss, samples and the difference. */
export function describePair(matrix: LatencyMatrix, row: number, col: number, theme: GrafanaTheme2): string[] {
  const k = row * matrix.cols.length + col;
  const a = matrix.rows[row]!;
  const b = matrix.cols[col]!;
  const field = matrix.valueField;
  const line = (from: string, to: string, index: number) => {
    if (index < 0 || matrix.cellFrame[index]! < 0) return `${from} → ${to}: ${formatField(field, NaN, theme)}`;
    const parts = [formatField(field, matrix.values[index]!, theme)];
    if (!Number.isNaN(matrix.loss[index]!)) parts.push(`loss ${lossText(matrix, matrix.loss[index]!, theme)}`);
    if (!Number.isNaN(matrix.samples[index]!)) parts.push(`${matrix.samples[index]} samples`);
    const targets = matrix.targets[index]!;
    const down = matrix.down[index]!;
    if (!Number.isNaN(down)) parts.push(Number.isNaN(targets) ? `${down} down` : `${down} of ${targets} targets down`);
    else if (!Number.isNaN(targets)) parts.push(`${targets} targets`);
    return `${from} → ${to}: ${parts.join(', ')}`;
  };
  const back = reverseIndex(matrix, row, col);
  const lines = [`${a.name} (${a.location || '?'}) ↔ ${b.name} (${b.location || '?'})`, line(a.name, b.name, k)];
  lines.push(line(b.name, a.name, back));
  if (back >= 0 && Number.isFinite(matrix.values[k]!) && Number.isFinite(matrix.values[back]!)) {
    lines.push(`asymmetry (A→B − B→A): ${formatField(field, matrix.values[k]! - matrix.values[back]!, theme)}`);
  }
  return lines;
}

/** The data links of a cell: the value field's links for the row the pair was read from. */
export function cellLinks(matrix: LatencyMatrix, row: number, col: number) {
  const k = row * matrix.cols.length + col;
  const frame = matrix.cellFrame[k]!;
  return frame < 0 ? [] : linksAt(matrix.valueFields[frame], matrix.cellRow[k]!);
}

/** Sources × destinations coloured by the statistic or by direction asymmetry, drawn on canvas. */
export function MatrixPanel(props: PanelProps<MatrixOptions>) {
  const { data, width, height } = props;
  const options = { ...defaultMatrixOptions, ...props.options };
  const fields = { ...defaultPairFields, ...options.fields };
  const theme = useTheme2();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const tooltipRef = useRef<HTMLDivElement>(null);
  const fieldsKey = JSON.stringify(fields);
  const built = useMemo(
    () => buildMatrix(data.series, fields, options.order),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the mapping by value, not by object identity
    [data.series, fieldsKey, options.order],
  );
  const matrix = isFieldProblem(built) ? undefined : built;
  const grouped = options.order === 'location';
  const gridHeight = Math.max(0, height - legendHeightPx);
  const view = useMemo(() => {
    if (!matrix) return undefined;
    const cellValues = options.mode === 'asymmetry' ? asymmetry(matrix) : matrix.values;
    let scale: ColourScale;
    if (options.mode === 'asymmetry') {
      const extent = finiteExtent(cellValues) ?? [0, 1];
      const m = Math.max(Math.abs(extent[0]), Math.abs(extent[1]));
      scale = new ColourScale(divergingPalette(), -m, m);
    } else {
      scale = fieldColourScale(matrix.valueField, theme, cellValues, options.scale === 'log');
    }
    const layout = layoutMatrix(matrix, width, gridHeight, grouped);
    return { cellValues, scale, layout };
  }, [matrix, options.mode, options.scale, width, gridHeight, grouped, theme]);
  const hover = useRef<{ matrix?: LatencyMatrix; layout?: MatrixLayout }>({});
  hover.current = { matrix, layout: view?.layout };

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !matrix || !view) return;
    const ctx = sizeCanvas(canvas, width, gridHeight);
    sizeCanvas(overlayRef.current!, width, gridHeight);
    if (!ctx) return; // no canvas support (jsdom)
    paintMatrix(
      ctx,
      {
        matrix,
        cellValues: view.cellValues,
        scale: view.scale,
        layout: view.layout,
        lossThresholdPct: options.lossThresholdPct,
        groupedByLocation: grouped,
        textColour: theme.colors.text.primary,
        lineColour: theme.colors.border.strong,
      },
      width,
      gridHeight,
    );
  }, [matrix, view, width, gridHeight, options.lossThresholdPct, grouped, theme]);

  const problem = dataProblem(data);
  if (problem) return <PanelMessage {...problem} />;
  if (!matrix || !view) {
    return (
      <PanelMessage kind="empty" {...describeFieldProblem(built as Exclude<typeof built, LatencyMatrix>, 'pairs')} />
    );
  }
  const hasLinks = matrix.valueFields.some((f) => (f?.config.links?.length ?? 0) > 0);

  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const { matrix: m, layout } = hover.current;
    const tooltip = tooltipRef.current;
    const overlay = overlayRef.current?.getContext('2d');
    if (!m || !layout || !tooltip) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const at = cellAt(layout, x, y);
    if (!at) return hideTooltip(tooltip, overlay, width, gridHeight, layout);
    tooltip.textContent = '';
    const lines = describePair(m, at.row, at.col, theme);
    const links = hasLinks ? cellLinks(m, at.row, at.col) : [];
    if (links.length > 0) lines.push(`click: ${links.map((l) => l.title || l.href).join(' · ')}`);
    for (const text of lines) {
      const div = document.createElement('div');
      div.textContent = text;
      tooltip.appendChild(div);
    }
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(x + 12, Math.max(0, width - 300))}px`;
    tooltip.style.top = `${Math.min(y + 12, Math.max(0, gridHeight - 90))}px`;
    const back = reverseIndex(m, at.row, at.col);
    const cells = [{ ...at, colour: theme.colors.text.primary }];
    if (back >= 0)
      cells.push({
        row: Math.floor(back / m.cols.length),
        col: back % m.cols.length,
        colour: theme.colors.text.secondary,
      });
    if (overlay) paintHover(overlay, layout, width, gridHeight, cells);
  };

  const onLeave = () => {
    if (tooltipRef.current)
      hideTooltip(tooltipRef.current, overlayRef.current?.getContext('2d'), width, gridHeight, view.layout);
  };

  const onClick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const at = cellAt(view.layout, event.clientX - rect.left, event.clientY - rect.top);
    if (!at) return;
    const [link] = cellLinks(matrix, at.row, at.col);
    if (link) followLink(link);
  };

  const title = options.mode === 'asymmetry' ? 'A→B − B→A' : (matrix.valueField.config.displayName ?? fields.value);
  return (
    <div style={{ width, height, position: 'relative' }} data-testid="matrix-panel">
      <div style={{ position: 'relative', width, height: gridHeight }}>
        <canvas
          ref={canvasRef}
          className={styles.layer}
          data-testid="matrix-canvas"
          aria-label={`latency matrix ${matrix.rows.length} × ${matrix.cols.length}`}
          data-grid={`${view.layout.gridX},${view.layout.gridY},${view.layout.cell}`}
        />
        <canvas
          ref={overlayRef}
          className={styles.layer}
          style={{ cursor: hasLinks ? 'pointer' : 'default' }}
          data-testid="matrix-overlay"
          onMouseMove={onMove}
          onMouseLeave={onLeave}
          onClick={onClick}
        />
        <div
          ref={tooltipRef}
          role="tooltip"
          data-testid="matrix-tooltip"
          className={styles.tooltip}
          style={{
            display: 'none',
            background: theme.colors.background.secondary,
            color: theme.colors.text.primary,
            border: `1px solid ${theme.colors.border.medium}`,
            boxShadow: theme.shadows.z2,
          }}
        />
      </div>
      <Legend
        scale={view.scale}
        format={(v) => formatField(matrix.valueField, v, theme)}
        title={title}
        swatches={[
          { label: 'no reply (100 % loss)', colour: `rgb(${lossColours.total.join(', ')})`, shape: 'square' },
          { label: `loss ≥ ${options.lossThresholdPct} %`, colour: lossColours.partial, shape: 'corner' },
          ...(matrix.down.some((d) => d > 0)
            ? [{ label: 'targets down', colour: `rgb(${downColour.join(', ')})`, shape: 'square' as const }]
            : []),
          { label: matrix.valueField.config.noValue || 'no data', colour: 'transparent', shape: 'square' },
        ]}
      />
    </div>
  );
}

function hideTooltip(
  tooltip: HTMLDivElement,
  overlay: CanvasRenderingContext2D | null | undefined,
  width: number,
  height: number,
  layout: MatrixLayout,
): void {
  tooltip.style.display = 'none';
  if (overlay) paintHover(overlay, layout, width, height, []);
}

const styles = {
  layer: css({ position: 'absolute', left: 0, top: 0 }),
  tooltip: css({
    position: 'absolute',
    pointerEvents: 'none',
    padding: '6px 8px',
    fontSize: 12,
    borderRadius: 4,
    whiteSpace: 'nowrap',
    zIndex: 10,
  }),
};
