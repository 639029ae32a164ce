// The matrix panel in jsdom (no canvas here: drawing is checked in Chromium by the browser test;
// this covers the legend, the tooltip text, links and the empty and error states).
import React from 'react';
import { createDataFrame, FieldType } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { harnessTheme, panelProps, ThemeProvider } from '../../harness/src/panel-host';
import { syntheticMatrixFrame } from '../../harness/src/synthetic';
import { layoutMatrix } from '../../src/panels/matrix/matrix-layout';
import { buildMatrix } from '../../src/panels/matrix/matrix-model';
import { MatrixPanel } from '../../src/panels/matrix/MatrixPanel';
import { defaultMatrixOptions, type MatrixOptions } from '../../src/panels/matrix/types';

const size = { width: 600, height: 434 };

function show(series = [pairFrame()], options: Partial<MatrixOptions> = {}, error?: string) {
  return render(
    <ThemeProvider theme={harnessTheme('light')}>
      <MatrixPanel
        {...panelProps({
          series,
          options: { ...defaultMatrixOptions, ...options },
          ...size,
          fromMs: 1000,
          toMs: 2000,
          error,
        })}
      />
    </ThemeProvider>,
  );
}

function pairFrame() {
  return createDataFrame({
    fields: [
      { name: 'src', type: FieldType.string, values: ['paris-1', 'oslo-1', 'paris-1'] },
      { name: 'dst', type: FieldType.string, values: ['oslo-1', 'paris-1', 'tokyo-1'] },
      { name: 'src_loc', type: FieldType.string, values: ['Paris,FR', 'Oslo,NO', 'Paris,FR'] },
      { name: 'dst_loc', type: FieldType.string, values: ['Oslo,NO', 'Paris,FR', 'Tokyo,JP'] },
      { name: 'value', type: FieldType.number, values: [21.5, 25, 240], config: { unit: 'ms' } },
      { name: 'loss_pct', type: FieldType.number, values: [0, 2.5, 100], config: { unit: 'percent' } },
      { name: 'samples', type: FieldType.number, values: [120, 118, 60] },
    ],
  });
}

/** Client coordinates of the centre of cell (row, col), as the panel lays it out. */
function cellCentre(series: ReturnType<typeof pairFrame>[], row: number, col: number) {
  const layout = layoutMatrix(buildMatrix(series, 'location')!, size.width, size.height - 34, true);
  return { clientX: layout.gridX + (col + 0.5) * layout.cell, clientY: layout.gridY + (row + 0.5) * layout.cell };
}

describe('MatrixPanel', () => {
  it('shows a legend: the statistic, its scale ticks, and swatches for loss and missing data', () => {
    show();
    const legend = screen.getByTestId('legend');
    expect(legend.textContent).toContain('value');
    expect(screen.getAllByTestId('legend-tick').map((t) => t.textContent)).toEqual(['21.5 ms', '131 ms', '240 ms']);
    expect(screen.getAllByTestId('legend-swatch').map((s) => s.textContent)).toEqual([
      'no reply (100 % loss)',
      'loss ≥ 1 %',
      'no data',
    ]);
  });

  it('shows both directions of the hovered pair, with loss, samples and the asymmetry', () => {
    show();
    // Location order (country, then city): rows paris-1, oslo-1; columns paris-1, tokyo-1, oslo-1.
    fireEvent.mouseMove(screen.getByTestId('matrix-overlay'), cellCentre([pairFrame()], 0, 2));
    const tooltip = screen.getByTestId('matrix-tooltip');
    expect(tooltip.style.display).toBe('block');
    expect([...tooltip.children].map((c) => c.textContent)).toEqual([
      'paris-1 (Paris,FR) ↔ oslo-1 (Oslo,NO)',
      'paris-1 → oslo-1: 21.5 ms, loss 0 %, 120 samples',
      'oslo-1 → paris-1: 25.0 ms, loss 2.50 %, 118 samples',
      'asymmetry (A→B − B→A): -3.50 ms',
    ]);
    fireEvent.mouseMove(screen.getByTestId('matrix-overlay'), { clientX: 1, clientY: 1 });
    expect(tooltip.style.display).toBe('none');
  });

  it('says when the reverse direction was never measured', () => {
    show();
    fireEvent.mouseMove(screen.getByTestId('matrix-overlay'), cellCentre([pairFrame()], 0, 1));
    const lines = [...screen.getByTestId('matrix-tooltip').children].map((c) => c.textContent);
    expect(lines[1]).toBe('paris-1 → tokyo-1: 240 ms, loss 100 %, 60 samples');
    expect(lines[2]).toBe('tokyo-1 → paris-1: no data');
  });

  it('follows the cell link with the pair filled in', () => {
    show([pairFrame()], { pairLink: '#pair=${src}|${dst}&${__url_time_range}' });
    fireEvent.click(screen.getByTestId('matrix-overlay'), cellCentre([pairFrame()], 1, 0));
    expect(window.location.hash).toBe('#pair=oslo-1|paris-1&from=1000&to=2000');
  });

  it('colours by A→B − B→A in asymmetry mode, on a scale symmetric around zero', () => {
    show([pairFrame()], { mode: 'asymmetry' });
    expect(screen.getByTestId('legend').textContent).toContain('A→B − B→A');
    expect(screen.getAllByTestId('legend-tick').map((t) => t.textContent)).toEqual(['-3.50 ms', '0 ms', '3.50 ms']);
  });

  it('keeps hover off React: moving over 200 × 200 cells re-renders nothing', () => {
    let renders = 0;
    const Counting = (props: Parameters<typeof MatrixPanel>[0]) => {
      renders++;
      return <MatrixPanel {...props} />;
    };
    render(
      <ThemeProvider theme={harnessTheme('dark')}>
        <React.Profiler id="m" onRender={() => renders++}>
          <Counting
            {...panelProps({
              series: [syntheticMatrixFrame(200)],
              options: defaultMatrixOptions,
              ...size,
              fromMs: 0,
              toMs: 1,
            })}
          />
        </React.Profiler>
      </ThemeProvider>,
    );
    const before = renders;
    const overlay = screen.getByTestId('matrix-overlay');
    for (let i = 0; i < 50; i++) fireEvent.mouseMove(overlay, { clientX: 20 + i * 8, clientY: 30 + i * 7 });
    expect(renders).toBe(before);
    expect(screen.getByTestId('matrix-tooltip').textContent).toMatch(/collector-\d+ → collector-\d+: /);
  });

  it('explains an empty result, a failed query and a table of the wrong shape', () => {
    const { unmount } = show([]);
    expect(screen.getByTestId('panel-empty').textContent).toMatch(
      /No data in this time range.*pingsphere collect --questdb/,
    );
    unmount();
    const failed = show([pairFrame()], {}, 'QuestDB refused the query: table does not exist');
    expect(screen.getByRole('alert').textContent).toMatch(/Query failed: QuestDB refused the query/);
    failed.unmount();
    show([createDataFrame({ fields: [{ name: 'Time', type: FieldType.time, values: [1] }] })]);
    expect(screen.getByTestId('panel-empty').textContent).toMatch(/set the query's Format to Table/i);
  });
});
