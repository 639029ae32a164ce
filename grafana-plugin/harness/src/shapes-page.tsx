// The three panels fed frames shaped as each datasource returns them (harness/src/datasource-frames.ts),
// with the field config a dashboard would save: ?shape=pingsphere|postgres|prometheus|prometheus-reduce|prometheus-labels
// &colour=thresholds|continuous&theme=dark|light. Used by test/live/datasource-shapes.test.ts and
// for the catalog screenshots. Grafana is not running: see panel-host.tsx for what is emulated.
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { FieldColorModeId, type DataFrame, type FieldConfigSource } from '@grafana/data';
import { GeoMapPanel, type GeoMapOptions } from '../../src/panels/geomap/GeoMapPanel';
import { plugin as geoMapPlugin } from '../../src/panels/geomap/module';
import { MatrixPanel } from '../../src/panels/matrix/MatrixPanel';
import { plugin as matrixPlugin } from '../../src/panels/matrix/module';
import { defaultMatrixOptions } from '../../src/panels/matrix/types';
import { plugin as timeOfDayPlugin } from '../../src/panels/timeofday/module';
import { TimeOfDayPanel, type TimeOfDayOptions } from '../../src/panels/timeofday/TimeOfDayPanel';
import { defaultPairFields } from '../../src/shared/frame-fields';
import { datasourceShapes, prometheusSeriesFrames } from './datasource-frames';
import { harnessTheme, panelProps, ThemeProvider } from './panel-host';

const params = new URLSearchParams(window.location.search);
const shape = datasourceShapes.find((s) => s.id === params.get('shape')) ?? datasourceShapes[0]!;
const continuous = params.get('colour') === 'continuous';
const theme = harnessTheme(params.get('theme') === 'light' ? 'light' : 'dark');
const fieldConfig: FieldConfigSource = continuous
  ? {
      ...shape.fieldConfig,
      defaults: { ...shape.fieldConfig.defaults, color: { mode: FieldColorModeId.ContinuousGrYlRd } },
    }
  : shape.fieldConfig;
const fields = { ...defaultPairFields, ...shape.fields };
// Every site on the equator (hand-computable positions, see the geo map tests).
const locations = `${shape.names.fra} = 0, -90\n${shape.names.nyc} = 0, 90\n${shape.names.sgp} = 0, 0`;
const common = { fromMs: 0, toMs: 1, timeZone: 'utc', theme, fieldConfig };

function ShapesPage() {
  const [frames, setFrames] = useState<{ pairs: DataFrame[]; series: DataFrame[] }>();
  useEffect(() => {
    void shape.frames().then((pairs) => setFrames({ pairs, series: prometheusSeriesFrames() }));
  }, []);
  useEffect(() => {
    if (frames) document.body.dataset.state = 'ready';
  }, [frames]);
  if (!frames) return <p>Loading…</p>;
  // The time-of-day panel reads time series: goldpinger's, in seconds, for every shape (same colours).
  const prometheus = datasourceShapes.find((s) => s.id === 'prometheus')!.fieldConfig.defaults;
  const seriesConfig: FieldConfigSource = {
    defaults: { ...fieldConfig.defaults, unit: 's', thresholds: prometheus.thresholds },
    overrides: [],
  };
  return (
    <ThemeProvider theme={theme}>
      <div style={{ background: theme.colors.background.canvas, color: theme.colors.text.primary, padding: 12 }}>
        <h3 style={{ margin: '0 0 8px' }}>{shape.title}</h3>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16, alignItems: 'flex-start' }}>
          <section data-testid="section-matrix" style={{ background: theme.colors.background.primary }}>
            <MatrixPanel
              {...panelProps({
                ...common,
                series: frames.pairs,
                options: { ...defaultMatrixOptions, fields },
                plugin: matrixPlugin,
                width: 600,
                height: 434,
              })}
            />
          </section>
          <section data-testid="section-geomap" style={{ background: theme.colors.background.primary }}>
            <GeoMapPanel
              {...panelProps({
                ...common,
                series: frames.pairs,
                options: { colourBy: 'value', fit: 'world', lossThresholdPct: 1, locations, fields } as GeoMapOptions,
                plugin: geoMapPlugin,
                width: 800,
                height: 452,
              })}
            />
          </section>
          <section data-testid="section-timeofday" style={{ background: theme.colors.background.primary }}>
            <TimeOfDayPanel
              {...panelProps({
                ...common,
                fieldConfig: seriesConfig,
                series: frames.series,
                options: { axis: 'weekday', scale: 'linear' } as TimeOfDayOptions,
                plugin: timeOfDayPlugin,
                width: 780,
                height: 300,
              })}
            />
          </section>
        </div>
      </div>
    </ThemeProvider>
  );
}

createRoot(document.getElementById('root')!).render(<ShapesPage />);
