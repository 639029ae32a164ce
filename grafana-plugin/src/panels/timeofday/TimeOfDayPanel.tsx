import React, { useLayoutEffect, useMemo, useRef } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { sizeCanvas } from '../../shared/canvas';
import { fieldColourScale } from '../../shared/colour-scale';
import { formatField } from '../../shared/display';
import { describeFieldProblem } from '../../shared/frame-fields';
import { Legend, legendHeightPx } from '../../shared/Legend';
import { dataProblem, PanelMessage } from '../../shared/PanelMessage';
import { resolveTimeZone } from '../../shared/time-zone';
import { buildTimeOfDay, type DayAxis, type TimeOfDayFields, type TimeOfDayGrid } from './timeofday-model';

export interface TimeOfDayOptions {
  axis: DayAxis;
  scale: 'linear' | 'log';
  /** Time and value fields; empty = each frame's first time / number field (as before 0.2). */
  fields?: TimeOfDayFields;
}

const summaryHeightPx = 20;
const labelWidthPx = 78;
const hourLabelHeightPx = 16;

/** Grid geometry: 24 hour columns after the day labels, one row per day. */
function layout(grid: TimeOfDayGrid, width: number, height: number) {
  const cellW = Math.max(0, (width - labelWidthPx) / 24);
  const cellH = Math.max(0, (height - hourLabelHeightPx) / grid.days.length);
  return { x: labelWidthPx, y: hourLabelHeightPx, cellW, cellH };
}

/** One line saying when latency is highest, e.g. "highest at 14:00–15:00: 23.1 ms (mean 12.0 ms)". */
export function peakSummary(grid: TimeOfDayGrid, theme: GrafanaTheme2): string {
  if (!Number.isFinite(grid.overallMean)) return 'no values in this range';
  const h = String(grid.peakHour).padStart(2, '0');
  const next = String((grid.peakHour + 1) % 24).padStart(2, '0');
  return `highest at ${h}:00–${next}:00: ${formatField(grid.valueField, grid.peakMean, theme)} (mean of all hours ${formatField(grid.valueField, grid.overallMean, theme)})`;
}

/** Hour of day × weekday (or date) heatmap of the statistic, in the dashboard's time zone. */
export function TimeOfDayPanel({ data, width, height, options, timeZone }: PanelProps<TimeOfDayOptions>) {
  const theme = useTheme2();
  const zone = resolveTimeZone(timeZone);
  const axis = options.axis ?? 'weekday';
  const timeField = options.fields?.time ?? '';
  const valueField = options.fields?.value ?? '';
  const built = useMemo(
    () => buildTimeOfDay(data.series, zone, axis, { time: timeField, value: valueField }),
    [data.series, zone, axis, timeField, valueField],
  );
  const grid = 'needs' in built ? undefined : built;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const tooltipRef = useRef<HTMLDivElement>(null);
  const gridHeight = Math.max(0, height - legendHeightPx - summaryHeightPx);
  const scale = useMemo(
    () => grid && fieldColourScale(grid.valueField, theme, grid.mean, options.scale === 'log'),
    [grid, options.scale, theme],
  );

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !grid || !scale) return;
    const ctx = sizeCanvas(canvas, width, gridHeight);
    if (!ctx) return;
    const g = layout(grid, width, gridHeight);
    ctx.clearRect(0, 0, width, gridHeight);
    for (let d = 0; d < grid.days.length; d++) {
      for (let h = 0; h < 24; h++) {
        const v = grid.mean[d * 24 + h]!;
        if (!Number.isFinite(v)) continue;
        ctx.fillStyle = scale.css(v);
        ctx.fillRect(g.x + h * g.cellW, g.y + d * g.cellH, Math.max(1, g.cellW - 1), Math.max(1, g.cellH - 1));
      }
    }
    ctx.fillStyle = theme.colors.text.secondary;
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    grid.days.forEach((day, d) => ctx.fillText(day, g.x - 6, g.y + (d + 0.5) * g.cellH, labelWidthPx - 8));
    ctx.textAlign = 'center';
    const every = g.cellW >= 22 ? 1 : g.cellW >= 11 ? 2 : 3;
    for (let h = 0; h < 24; h += every)
      ctx.fillText(String(h).padStart(2, '0'), g.x + (h + 0.5) * g.cellW, hourLabelHeightPx / 2);
  }, [grid, scale, width, gridHeight, theme]);

  const problem = dataProblem(data);
  if (problem) return <PanelMessage {...problem} />;
  if (!grid || !scale) {
    const { title } = describeFieldProblem(built as Exclude<typeof built, TimeOfDayGrid>, 'time series');
    return (
      <PanelMessage
        kind="empty"
        title={title}
        hint="Set the time and value fields under Fields, or query with Format = Time series (an interval of 1h or less works best); filter to a pair or a source, or leave the filters empty for the whole mesh."
      />
    );
  }

  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const tooltip = tooltipRef.current;
    if (!tooltip) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const g = layout(grid, width, gridHeight);
    const h = Math.floor((event.clientX - rect.left - g.x) / g.cellW);
    const d = Math.floor((event.clientY - rect.top - g.y) / g.cellH);
    if (h < 0 || h >= 24 || d < 0 || d >= grid.days.length) {
      tooltip.style.display = 'none';
      return;
    }
    const k = d * 24 + h;
    tooltip.textContent = `${grid.days[d]} ${String(h).padStart(2, '0')}:00–${String((h + 1) % 24).padStart(2, '0')}:00 (${zone}): ${formatField(grid.valueField, grid.mean[k]!, theme)} from ${grid.count[k]} points`;
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(event.clientX - rect.left + 12, Math.max(0, width - 320))}px`;
    tooltip.style.top = `${event.clientY - rect.top + 12}px`;
  };

  return (
    <div style={{ width, height, position: 'relative' }} data-testid="timeofday-panel">
      <div className={styles.summary} style={{ color: theme.colors.text.secondary }} data-testid="timeofday-summary">
        {peakSummary(grid, theme)} · {zone}
      </div>
      <div style={{ position: 'relative', width, height: gridHeight }}>
        <canvas
          ref={canvasRef}
          data-testid="timeofday-canvas"
          onMouseMove={onMove}
          onMouseLeave={() => tooltipRef.current && (tooltipRef.current.style.display = 'none')}
        />
        <div
          ref={tooltipRef}
          role="tooltip"
          data-testid="timeofday-tooltip"
          className={styles.tooltip}
          style={{
            display: 'none',
            background: theme.colors.background.secondary,
            color: theme.colors.text.primary,
            border: `1px solid ${theme.colors.border.medium}`,
          }}
        />
      </div>
      <Legend
        scale={scale}
        format={(v) => formatField(grid.valueField, v, theme)}
        title="mean per hour"
        swatches={[]}
      />
    </div>
  );
}

const styles = {
  summary: css({ height: summaryHeightPx, fontSize: 12, whiteSpace: 'nowrap', overflow: 'hidden' }),
  tooltip: css({
    position: 'absolute',
    pointerEvents: 'none',
    padding: '4px 8px',
    fontSize: 12,
    borderRadius: 4,
    whiteSpace: 'nowrap',
  }),
};
