// The alternative the benchmark compares against: the same matrix as one React-rendered SVG
// <rect> per cell (how a DOM-based heatmap draws), with the same model and colour scale.
import React from 'react';
import type { DataFrame } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { fieldColourScale } from '../../src/shared/colour-scale';
import { defaultPairFields } from '../../src/shared/frame-fields';
import { buildMatrix, isFieldProblem } from '../../src/panels/matrix/matrix-model';

export function SvgMatrix({ series, width, height }: { series: DataFrame[]; width: number; height: number }) {
  const theme = useTheme2();
  const matrix = buildMatrix(series, defaultPairFields, 'location');
  if (isFieldProblem(matrix)) return null;
  const scale = fieldColourScale(matrix.valueField, theme, matrix.values);
  const cell = Math.min(width / matrix.cols.length, height / matrix.rows.length);
  const rects: React.ReactElement[] = [];
  for (let r = 0; r < matrix.rows.length; r++) {
    for (let c = 0; c < matrix.cols.length; c++) {
      const v = matrix.values[r * matrix.cols.length + c]!;
      if (Number.isNaN(v)) continue;
      rects.push(
        <rect
          key={r * matrix.cols.length + c}
          x={c * cell}
          y={r * cell}
          width={cell}
          height={cell}
          fill={scale.css(v)}
        />,
      );
    }
  }
  return (
    <svg width={width} height={height} data-testid="svg-matrix">
      {rects}
    </svg>
  );
}
