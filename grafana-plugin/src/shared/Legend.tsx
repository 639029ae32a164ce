import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { ColourScale } from './colour-scale';

export interface LegendSwatch {
  label: string;
  colour: string;
  shape: 'square' | 'corner';
}

export const legendHeightPx = 34;

/** Colour bar with ticks, its title, and swatches for what is not on the scale (loss, no data). */
export function Legend({
  scale,
  format,
  title,
  swatches,
}: {
  scale: ColourScale;
  /** Tick text: the field's display processor (unit, decimals). */
  format: (value: number) => string;
  title: string;
  swatches: LegendSwatch[];
}) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.legend} data-testid="legend">
      <span className={styles.title}>{title}</span>
      <div className={styles.barBox}>
        <div className={styles.bar} style={{ background: scale.gradient() }} />
        <div className={styles.ticks}>
          {scale.ticks(3).map((value, i) => (
            <span key={i} data-testid="legend-tick">
              {format(value)}
            </span>
          ))}
        </div>
      </div>
      {swatches.map((s) => (
        <span key={s.label} className={styles.swatchItem} data-testid="legend-swatch">
          <span
            className={styles.swatch}
            style={
              s.shape === 'square'
                ? { background: s.colour }
                : { background: `conic-gradient(${s.colour} 0 25%, transparent 25% 100%)` }
            }
          />
          {s.label}
        </span>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  legend: css({
    height: legendHeightPx,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    overflow: 'hidden',
    whiteSpace: 'nowrap',
  }),
  title: css({ color: theme.colors.text.primary }),
  barBox: css({ display: 'flex', flexDirection: 'column', minWidth: 160, flex: '0 1 260px' }),
  bar: css({ height: 10, borderRadius: 2 }),
  ticks: css({ display: 'flex', justifyContent: 'space-between', fontSize: 10 }),
  swatchItem: css({ display: 'inline-flex', alignItems: 'center', gap: 4 }),
  swatch: css({
    width: 12,
    height: 12,
    display: 'inline-block',
    border: `1px solid ${theme.colors.border.medium}`,
  }),
});
