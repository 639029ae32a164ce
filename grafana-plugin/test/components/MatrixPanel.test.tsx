// The matrix panel in jsdom, fed frames shaped as each datasource returns them (PingSphere's own,
// Grafana's PostgreSQL, Prometheus read directly / after reduce / after labels-to-fields), with
// units, thresholds and a data link in the field config. Grafana itself is not running: the
// harness applies the field config with @grafana/data's applyFieldOverrides and replaces
// variables with an emulation of Grafana's template service (harness/src/template.ts). No canvas
// here: pixels are checked in Chromium (test/live/datasource-shapes.test.ts); this checks legend
// and tooltip text, links, and the empty, error and wrong-shape states.
import React from 'react';
import { createDataFrame, FieldType } from '@grafana/data';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { datasourceShapes, prometheusSeriesFrames } from '../../harness/src/datasource-frames';
import { harnessTheme, panelProps, ThemeProvider } from '../../harness/src/panel-host';
import { syntheticMatrixFrame } from '../../harness/src/synthetic';
import { MatrixPanel } from '../../src/panels/matrix/MatrixPanel';
import { plugin } from '../../src/panels/matrix/module';
import { defaultMatrixOptions, type MatrixOptions } from '../../src/panels/matrix/types';
import type { DataFrame, FieldConfigSource } from '@grafana/data';

const size = { width: 600, height: 434 };

function show(
  series: DataFrame[],
  options: Partial<MatrixOptions> = {},
  fieldConfig?: FieldConfigSource,
  error?: string,
) {
  return render(
    <ThemeProvider theme={harnessTheme('dark')}>
      <MatrixPanel
        {...panelProps({
          series,
          options: { ...defaultMatrixOptions, ...options },
          plugin,
          fieldConfig,
          ...size,
          fromMs: 1000,
          toMs: 2000,
          error,
        })}
      />
    </ThemeProvider>,
  );
}

// Hand-computed geometry of a 3 × 3 matrix in 600 × 400 px of grid (434 − the 34 px legend),
// ordered by location (a 16 px band): names of 3 characters take labels 27 px wide
// (ceil(3 × 11 px × 0.62) + 6), so the grid starts at 16 + 27 = 43 px and a cell is
// min((600 − 43) / 3, (400 − 43) / 3) = 119 px. Goldpinger's addresses (8 characters) take
// ceil(8 × 6.82) + 6 = 61 px: the grid starts at 77 px, a cell is (400 − 77) / 3 = 107.67 px.
const geometry = {
  short: { start: 43, cell: 119 },
  ip: { start: 77, cell: 323 / 3 },
};
function centre(kind: keyof typeof geometry, row: number, col: number) {
  const { start, cell } = geometry[kind];
  return { clientX: start + (col + 0.5) * cell, clientY: start + (row + 0.5) * cell };
}

describe('MatrixPanel with each datasource’s frames; Grafana is not running: field config applied by @grafana/data, template service emulated', () => {
  // Sites ordered by location (Frankfurt,DE; Singapore,SG; New York,US) where the frames have
  // locations, by name (10.0.0.1 fra, 10.0.0.2 nyc, 10.0.0.3 sgp) where they do not.
  const fraToNyc = {
    pingsphere: centre('short', 0, 2),
    postgres: centre('short', 0, 2),
    prometheus: centre('ip', 0, 1),
    'prometheus-reduce': centre('ip', 0, 1),
    'prometheus-labels': centre('ip', 0, 1),
  };

  describe.each(datasourceShapes.map((s) => [s.title, s] as const))('%s', (_title, shape) => {
    it('shows both directions of the hovered pair through the field’s unit and decimals, and the link', async () => {
      show(await shape.frames(), { fields: { ...defaultMatrixOptions.fields, ...shape.fields } }, shape.fieldConfig);
      fireEvent.mouseMove(screen.getByTestId('matrix-overlay'), fraToNyc[shape.id]);
      const tooltip = screen.getByTestId('matrix-tooltip');
      expect(tooltip.style.display).toBe('block');
      const lines = [...tooltip.children].map((c) => c.textContent);
      const [fra, nyc] = [shape.names.fra, shape.names.nyc];
      const located = shape.id === 'pingsphere' || shape.id === 'postgres';
      expect(lines[0]).toBe(located ? `${fra} (Frankfurt,DE) ↔ ${nyc} (New York,US)` : `${fra} (?) ↔ ${nyc} (?)`);
      const detail = {
        pingsphere: [', loss 0.0%, 120 samples', ', loss 2.5%, 118 samples'],
        postgres: [', loss 0.0%', ', loss 2.5%'],
      }[shape.id as 'pingsphere'] ?? ['', ''];
      expect(lines.slice(1)).toEqual([
        `${fra} → ${nyc}: 10.0 ms${detail[0]}`,
        `${nyc} → ${fra}: 30.0 ms${detail[1]}`,
        'asymmetry (A→B − B→A): -20.0 ms',
        'click: Pair detail',
      ]);
      fireEvent.click(screen.getByTestId('matrix-overlay'), fraToNyc[shape.id]);
      // jsdom follows the link's fragment a task later, as a browser does.
      await waitFor(() => expect(window.location.hash).toBe(shape.fraToNycLink));
      window.location.hash = '';
    });

    it('writes the legend ticks through the display processor', async () => {
      show(await shape.frames(), { fields: { ...defaultMatrixOptions.fields, ...shape.fields } }, shape.fieldConfig);
      expect(screen.getAllByTestId('legend-tick').map((t) => t.textContent)).toEqual(['10.0 ms', '30.0 ms', '50.0 ms']);
    });
  });

  it('says which fields it needs and which it found when the mapping does not fit the frames', () => {
    show(prometheusSeriesFrames());
    expect(screen.getByTestId('panel-empty').textContent).toContain(
      'This panel needs pairs: fields (or labels) src, dst, value; found Time, Value, label instance, label host_ip',
    );
  });

  it('shows the field’s No value text for a pair never measured', async () => {
    const [pingsphere] = datasourceShapes;
    const fieldConfig = {
      ...pingsphere!.fieldConfig,
      defaults: { ...pingsphere!.fieldConfig.defaults, noValue: 'never measured' },
    };
    const frame = (await pingsphere!.frames())[0]!;
    // Only fra → nyc and nyc → fra: the other cells have no data.
    const two = createDataFrame({ fields: frame.fields.map((f) => ({ ...f, values: f.values.slice(0, 2) })) });
    show([two], {}, fieldConfig);
    // Rows fra, nyc; columns fra, nyc (DE before US), cells min((600 − 43) / 2, (400 − 43) / 2) = 178.5 px:
    // cell (0, 0) is fra → fra.
    fireEvent.mouseMove(screen.getByTestId('matrix-overlay'), { clientX: 43 + 0.5 * 178.5, clientY: 43 + 0.5 * 178.5 });
    expect([...screen.getByTestId('matrix-tooltip').children].map((c) => c.textContent)[1]).toBe(
      'fra → fra: never measured',
    );
    expect(screen.getAllByTestId('legend-swatch').map((s) => s.textContent)).toContain('never measured');
  });

  it('colours by A→B − B→A in asymmetry mode, on a scale symmetric around zero', async () => {
    const [pingsphere] = datasourceShapes;
    show(await pingsphere!.frames(), { mode: 'asymmetry' }, pingsphere!.fieldConfig);
    expect(screen.getByTestId('legend').textContent).toContain('A→B − B→A');
    expect(screen.getAllByTestId('legend-tick').map((t) => t.textContent)).toEqual(['-40.0 ms', '0.0 ms', '40.0 ms']);
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

  it('explains an empty result and a failed query', async () => {
    const { unmount } = show([]);
    expect(screen.getByTestId('panel-empty').textContent).toMatch(
      /No data in this time range.*pingsphere collect --questdb/,
    );
    unmount();
    show(await datasourceShapes[0]!.frames(), {}, undefined, 'QuestDB refused the query: table does not exist');
    expect(screen.getByRole('alert').textContent).toMatch(/Query failed: QuestDB refused the query/);
    show([createDataFrame({ fields: [{ name: 'Time', type: FieldType.time, values: [1] }] })]);
    expect(screen.getAllByTestId('panel-empty').at(-1)!.textContent).toMatch(/needs pairs: .*found Time/);
  });
});
