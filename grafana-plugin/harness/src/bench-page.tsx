// Benchmark page: window.benchMatrix(n, repeats, variant) renders an n × n matrix from scratch
// `repeats` times and returns each render's milliseconds, measured up to the next frame after a
// forced layout (so the SVG variant's layout cost counts as the canvas's drawing does).
import React from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { DataFrame } from '@grafana/data';
import { MatrixPanel } from '../../src/panels/matrix/MatrixPanel';
import { defaultMatrixOptions } from '../../src/panels/matrix/types';
import { harnessTheme, panelProps, ThemeProvider } from './panel-host';
import { SvgMatrix } from './svg-matrix';
import { syntheticMatrixFrame } from './synthetic';

const theme = harnessTheme('dark');
const root = createRoot(document.getElementById('root')!);
const size = { width: 900, height: 900 };

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

async function renderOnce(series: DataFrame[], variant: 'canvas' | 'svg', key: number): Promise<number> {
  flushSync(() => root.render(<p>reset</p>));
  await nextFrame();
  const start = performance.now();
  flushSync(() =>
    root.render(
      <ThemeProvider theme={theme}>
        {variant === 'canvas' ? (
          <MatrixPanel
            key={key}
            {...panelProps({
              series,
              options: defaultMatrixOptions,
              ...size,
              height: size.height + 34,
              fromMs: 0,
              toMs: 1,
            })}
          />
        ) : (
          <SvgMatrix key={key} series={series} {...size} />
        )}
      </ThemeProvider>,
    ),
  );
  void document.body.getBoundingClientRect().height;
  await nextFrame();
  return performance.now() - start;
}

/** Time of one synthetic mouse move over the matrix (tooltip and hover outline, no React render). */
function hoverOnce(): number {
  const overlay = document.querySelector<HTMLCanvasElement>('[data-testid="matrix-overlay"]')!;
  const rect = overlay.getBoundingClientRect();
  const start = performance.now();
  overlay.dispatchEvent(
    new MouseEvent('mousemove', {
      bubbles: true,
      clientX: rect.left + rect.width * 0.6,
      clientY: rect.top + rect.height * 0.4,
    }),
  );
  return performance.now() - start;
}

declare global {
  interface Window {
    benchMatrix: (
      n: number,
      repeats: number,
      variant: 'canvas' | 'svg',
    ) => Promise<{ renderMs: number[]; hoverMs: number[] }>;
  }
}

window.benchMatrix = async (n, repeats, variant) => {
  const series = [syntheticMatrixFrame(n)];
  const renderMs: number[] = [];
  const hoverMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    renderMs.push(await renderOnce(series, variant, i));
    if (variant === 'canvas') hoverMs.push(hoverOnce());
  }
  return { renderMs, hoverMs };
};
document.body.dataset.state = 'ready';
