// The live page: the three panels fed by the datasource's query runner, reading QuestDB's /exec
// through the serving process's same-origin proxy (/questdb). Used by the browser tests and the
// demo. Controls live in the URL: ?family=icmp|http&stat=p50&minutes=15&theme=dark|light&mode=asymmetry
// &dst=ADDRESS,… (only these destinations)
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { DataFrame } from '@grafana/data';
import { FetchQuestDbClient } from '../../src/datasource/questdb-client';
import { PingSphereQueryRunner } from '../../src/datasource/query-runner';
import type { QueryContext } from '../../src/datasource/sql';
import type { Family, PingSphereQuery, Stat } from '../../src/datasource/types';
import { GeoMapPanel, type GeoMapOptions } from '../../src/panels/geomap/GeoMapPanel';
import { plugin as geoMapPlugin } from '../../src/panels/geomap/module';
import { MatrixPanel } from '../../src/panels/matrix/MatrixPanel';
import { plugin as matrixPlugin } from '../../src/panels/matrix/module';
import { defaultMatrixOptions, type MatrixOptions } from '../../src/panels/matrix/types';
import { plugin as timeOfDayPlugin } from '../../src/panels/timeofday/module';
import { TimeOfDayPanel, type TimeOfDayOptions } from '../../src/panels/timeofday/TimeOfDayPanel';
import { defaultPairFields } from '../../src/shared/frame-fields';
import { resolveTimeZone } from '../../src/shared/time-zone';
import { harnessTheme, panelProps, ThemeProvider } from './panel-host';
import { emulatedHourInterval, fetchScenario, onEmulatedClock, type PageScenario } from './scenario';

const params = new URLSearchParams(window.location.search);
const family = (params.get('family') ?? 'icmp') as Family;
const stat = (params.get('stat') ?? 'p50') as Stat;
const minutes = Number(params.get('minutes') ?? 15);
const themeMode = params.get('theme') === 'light' ? 'light' : 'dark';
const mode = params.get('mode') === 'asymmetry' ? 'asymmetry' : 'value';
const refreshMs = Number(params.get('refresh') ?? 0);
const onlyDst = params.get('dst')?.split(',').filter(Boolean);
const runner = new PingSphereQueryRunner(new FetchQuestDbClient(new URL('questdb', window.location.href).href));

interface Loaded {
  table: DataFrame[];
  series: DataFrame[];
  fromMs: number;
  toMs: number;
  error?: string;
}

function pairFromHash(): { src: string; dst: string } | undefined {
  const match = /^#pair=([^|]*)\|(.*)$/.exec(decodeURIComponent(window.location.hash));
  return match ? { src: match[1]!, dst: match[2]! } : undefined;
}

async function load(pair: { src: string; dst: string } | undefined, scenario: PageScenario | null): Promise<Loaded> {
  const day = scenario?.compressedDay;
  const toMs = Date.now();
  const fromMs = toMs - minutes * 60_000;
  const context: QueryContext = {
    fromMs,
    toMs,
    intervalMs: 60_000,
    timeZone: resolveTimeZone('browser'),
    rollupMinRangeHours: 6,
  };
  const base = { refId: 'A', family, stat, phase: 'connect' as const, source: 'raw' as const };
  const table: PingSphereQuery = {
    ...base,
    format: 'table',
    groupBy: ['src', 'dst', 'src_loc', 'dst_loc'],
    ...(onlyDst ? { filters: { dst: onlyDst } } : {}),
  };
  const series: PingSphereQuery = {
    ...base,
    format: 'time_series',
    groupBy: ['src', 'dst'],
    interval: day ? emulatedHourInterval(day) : '1m',
    filters: pair ? { src: [pair.src], dst: [pair.dst] } : onlyDst ? { dst: onlyDst } : {},
  };
  // On a compressed day, only the data of this run is on its clock.
  const seriesContext = day?.sinceMs ? { ...context, fromMs: Math.max(fromMs, day.sinceMs) } : context;
  try {
    const [tableFrames, seriesFrames] = await Promise.all([
      runner.run(table, context),
      runner.run(series, seriesContext),
    ]);
    return { table: tableFrames, series: day ? onEmulatedClock(seriesFrames, day) : seriesFrames, fromMs, toMs };
  } catch (error) {
    return { table: [], series: [], fromMs, toMs, error: (error as Error).message };
  }
}

function LivePage() {
  const [pair, setPair] = useState(pairFromHash());
  const [data, setData] = useState<Loaded | undefined>();
  const [scenario, setScenario] = useState<PageScenario | null | undefined>();
  useEffect(() => void fetchScenario().then(setScenario), []);
  useEffect(() => {
    const onHash = () => setPair(pairFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (scenario === undefined) return;
    let stopped = false;
    const refresh = () =>
      load(pair, scenario).then((loaded) => {
        if (!stopped) setData(loaded);
      });
    void refresh();
    const timer = refreshMs > 0 ? setInterval(refresh, refreshMs) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [pair, scenario]);
  useEffect(() => {
    if (data) document.body.dataset.state = data.error ? 'error' : 'ready';
  }, [data]);
  const theme = harnessTheme(themeMode);
  if (!data) return <p>Loading from QuestDB…</p>;
  // Two panels side by side: page padding 2 × 12, gap 16, section padding 2 × 8 each.
  const width = Math.max(420, Math.floor((window.innerWidth - 24 - 16 - 32) / 2));
  const common = { fromMs: data.fromMs, toMs: data.toMs, error: data.error, theme };
  const matrixOptions: MatrixOptions = { ...defaultMatrixOptions, mode };
  // A matrix click shows the pair in the time-of-day view: a data link on the value field.
  const pairLink = {
    defaults: {
      links: [{ title: 'Time of day of this pair', url: '#pair=${__data.fields.src}|${__data.fields.dst}' }],
    },
    overrides: [],
  };
  const day = scenario?.compressedDay;
  // On a compressed day the rows are the emulated days (dates), not weekdays.
  const timeOfDayOptions: TimeOfDayOptions = { axis: day ? 'date' : 'weekday', scale: 'linear' };
  const geoOptions: GeoMapOptions = {
    colourBy: 'value',
    fit: 'world',
    lossThresholdPct: 1,
    locations: '',
    colourSources: false,
    fields: defaultPairFields,
  };
  return (
    <ThemeProvider theme={theme}>
      <div
        style={{
          background: theme.colors.background.canvas,
          color: theme.colors.text.primary,
          minHeight: '100vh',
          padding: 12,
          fontFamily: theme.typography.fontFamily,
        }}
      >
        <h2 style={{ margin: '0 0 8px' }}>
          PingSphere · {family.toUpperCase()} {stat} · last {minutes} min
        </h2>
        {scenario?.note && (
          <section
            data-testid="scenario-note"
            style={{ color: theme.colors.text.secondary, fontSize: 12, maxWidth: width * 2 + 32, margin: '0 0 8px' }}
          >
            {scenario.note.map((line) => (
              <p key={line} style={{ margin: '2px 0' }}>
                {line}
              </p>
            ))}
          </section>
        )}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16 }}>
          <section data-testid="section-matrix" style={{ background: theme.colors.background.primary, padding: 8 }}>
            <h3>Latency matrix{mode === 'asymmetry' ? ' (asymmetry)' : ''}</h3>
            <MatrixPanel
              {...panelProps({
                ...common,
                series: data.table,
                options: matrixOptions,
                plugin: matrixPlugin,
                fieldConfig: pairLink,
                width,
                height: 460,
              })}
            />
          </section>
          <section data-testid="section-geomap" style={{ background: theme.colors.background.primary, padding: 8 }}>
            <h3>Geo map</h3>
            <GeoMapPanel
              {...panelProps({
                ...common,
                series: data.table,
                options: geoOptions,
                plugin: geoMapPlugin,
                width,
                height: 460,
              })}
            />
          </section>
          <section data-testid="section-timeofday" style={{ background: theme.colors.background.primary, padding: 8 }}>
            <h3 data-testid="timeofday-title">
              Time of day · {pair ? `${pair.src} → ${pair.dst}` : 'whole mesh'}
              {day && ` · emulated clock: 1 day = ${day.periodMs / 60_000} min of the demo (UTC hours)`}
            </h3>
            <TimeOfDayPanel
              {...panelProps({
                ...common,
                series: data.series,
                options: timeOfDayOptions,
                plugin: timeOfDayPlugin,
                width: width * 2 + 32,
                height: 300,
                ...(day ? { timeZone: 'utc' } : {}),
              })}
            />
          </section>
        </div>
      </div>
    </ThemeProvider>
  );
}

createRoot(document.getElementById('root')!).render(<LivePage />);
