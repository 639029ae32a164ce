// The live page: the three panels fed by the datasource's query runner, reading QuestDB's /exec
// through the serving process's same-origin proxy (/questdb). Used by the browser tests and the
// demo. Controls live in the URL: ?family=icmp|http&stat=p50&minutes=15&theme=dark|light&mode=asymmetry
// &dst=ADDRESS,… (only these destinations) &view=groups|pairs (ICMP: by target group, the default
// without dst=, or a column per target). In the group view a click on a group drills down in place
// (#group=KEY: that group's targets, the map towards the group), a click on a target shows the pair
// (#group=KEY&pair=SRC|DST: time of day, the map towards that target).
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { DataFrame } from '@grafana/data';
import { FetchQuestDbClient } from '../../src/datasource/questdb-client';
import { PingSphereQueryRunner } from '../../src/datasource/query-runner';
import type { QueryContext } from '../../src/datasource/sql';
import type { Family, PingSphereQuery, Stat } from '../../src/datasource/types';
import { WorstTargetsTable } from './worst-targets-table';
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
const view = params.get('view') ?? (family === 'icmp' && !onlyDst ? 'groups' : 'pairs');
const byGroup = family === 'icmp' && view === 'groups';
/** The group views combine roll-up buckets: a percentile cannot be, so they show the average instead. */
const groupStat: Stat = ['avg', 'min', 'max', 'loss_pct', 'samples'].includes(stat) ? stat : 'avg';
const runner = new PingSphereQueryRunner(new FetchQuestDbClient(new URL('questdb', window.location.href).href));

interface Loaded {
  table: DataFrame[];
  /** What the geo map draws: the table, or the view towards one group or target. */
  map: DataFrame[];
  worst?: DataFrame[];
  /** The target the map looks towards when nothing is clicked (the worst one). */
  mapTarget?: string;
  series: DataFrame[];
  fromMs: number;
  toMs: number;
  error?: string;
  /** The #hash the data was loaded for, when it arrived (performance.now()) and how long the queries took. */
  hash: string;
  receivedAt: number;
  queryMs: number;
}

interface Focus {
  pair?: { src: string; dst: string };
  /** The drilled-down target group (group view). */
  group?: string;
}

/** `#pair=SRC|DST`, `#group=KEY`, or both (`#group=KEY&pair=SRC|DST`). */
function focusFromHash(): Focus {
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const pair = /^([^|]*)\|(.*)$/.exec(hash.get('pair') ?? '');
  const group = hash.get('group') ?? undefined;
  return { ...(pair ? { pair: { src: pair[1]!, dst: pair[2]! } } : {}), ...(group ? { group } : {}) };
}

async function load(focus: Focus, scenario: PageScenario | null): Promise<Loaded> {
  const { pair, group } = focus;
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
  const pairs: PingSphereQuery = {
    ...base,
    format: 'table',
    groupBy: ['src', 'dst', 'src_loc', 'dst_loc'],
    ...(onlyDst ? { filters: { dst: onlyDst } } : {}),
  };
  const inventory = { ...base, family: 'icmp' as const, format: 'table' as const, groupBy: [] };
  // Group view: the matrix of groups, or of the drilled-down group's targets; the map towards the
  // clicked target, else the group, else every group at its place.
  const table: PingSphereQuery = !byGroup
    ? pairs
    : group
      ? { ...inventory, queryType: 'icmp_group_targets', group }
      : { ...inventory, stat: groupStat, queryType: 'icmp_groups' };
  const map: PingSphereQuery | undefined = !byGroup
    ? undefined
    : pair
      ? { ...inventory, queryType: 'icmp_focus', target: pair.dst }
      : group
        ? { ...inventory, stat: groupStat, queryType: 'icmp_focus', group }
        : undefined;
  const worst: PingSphereQuery | undefined = byGroup
    ? { ...inventory, stat: groupStat, queryType: 'icmp_worst_targets', limit: 10, ...(group ? { group } : {}) }
    : undefined;
  const series: PingSphereQuery = {
    ...base,
    format: 'time_series',
    // The whole mesh as one series in the group view: a series per target would be a million.
    groupBy: byGroup && !pair ? [] : ['src', 'dst'],
    interval: day ? emulatedHourInterval(day) : '1m',
    filters: pair ? { src: [pair.src], dst: [pair.dst] } : onlyDst ? { dst: onlyDst } : {},
  };
  // On a compressed day, only the data of this run is on its clock.
  const seriesContext = day?.sinceMs ? { ...context, fromMs: Math.max(fromMs, day.sinceMs) } : context;
  const hash = window.location.hash;
  const started = performance.now();
  const timing = () => ({ hash, receivedAt: performance.now(), queryMs: performance.now() - started });
  try {
    const [tableFrames, mapFrames, worstFrames, seriesFrames] = await Promise.all([
      runner.run(table, context),
      map ? runner.run(map, context) : undefined,
      worst ? runner.run(worst, context) : undefined,
      runner.run(series, seriesContext),
    ]);
    // Nothing clicked yet in the group view: the map looks towards the worst target (groups spread
    // over several places have no one place to draw).
    const worstTarget = worstFrames?.[0]?.fields.find((f) => f.name === 'target')?.values[0] as string | undefined;
    const towardsWorst =
      byGroup && !map && worstTarget
        ? await runner.run({ ...inventory, queryType: 'icmp_focus', target: worstTarget }, context)
        : undefined;
    return {
      table: tableFrames,
      map: mapFrames ?? towardsWorst ?? tableFrames,
      ...(towardsWorst ? { mapTarget: worstTarget } : {}),
      worst: worstFrames,
      series: day ? onEmulatedClock(seriesFrames, day) : seriesFrames,
      fromMs,
      toMs,
      ...timing(),
    };
  } catch (error) {
    return { table: [], map: [], series: [], fromMs, toMs, error: (error as Error).message, ...timing() };
  }
}

function LivePage() {
  const [focus, setFocus] = useState(focusFromHash());
  const { pair, group } = focus;
  const [data, setData] = useState<Loaded | undefined>();
  const [scenario, setScenario] = useState<PageScenario | null | undefined>();
  useEffect(() => void fetchScenario().then(setScenario), []);
  useEffect(() => {
    const onHash = () => setFocus(focusFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (scenario === undefined) return;
    let stopped = false;
    const refresh = () =>
      load(focus, scenario).then((loaded) => {
        if (!stopped) setData(loaded);
      });
    void refresh();
    const timer = refreshMs > 0 ? setInterval(refresh, refreshMs) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the focus by value (a new object per hash change)
  }, [pair?.src, pair?.dst, group, scenario]);
  useEffect(() => {
    if (!data) return;
    document.body.dataset.state = data.error ? 'error' : 'ready';
    // Which #hash this data is for (tests wait for it after a click) and how long drawing took:
    // from the data in hand to the frame after the panels drew (bench:views reads it).
    document.body.dataset.loadedHash = data.hash;
    requestAnimationFrame(() => {
      document.body.dataset.renderMs = (performance.now() - data.receivedAt).toFixed(1);
      document.body.dataset.queryMs = data.queryMs.toFixed(1);
    });
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
  // The group matrix drills down in place; a group's target opens the pair, staying in the group.
  const groupLinks = group
    ? {
        defaults: {
          links: [
            {
              title: 'This target: time of day and map',
              url: `#group=${encodeURIComponent(group)}&pair=\${__data.fields.src}|\${__data.fields.dst}`,
            },
          ],
        },
        overrides: [],
      }
    : { defaults: { links: [{ title: 'Targets of this group', url: '#group=${__data.fields.dst}' }] }, overrides: [] };
  const matrixTitle = !byGroup
    ? `Latency matrix${mode === 'asymmetry' ? ' (asymmetry)' : ''}`
    : group
      ? `Targets of group ${group} (${stat})`
      : `By target group (${groupStat}; ■ bottom-left = targets down; click a group for its targets)`;
  const mapTitle = !byGroup
    ? 'Geo map'
    : pair
      ? `Every collector towards ${pair.dst}`
      : group
        ? `Every collector towards group ${group}`
        : data.mapTarget
          ? `Every collector towards the worst target, ${data.mapTarget} (click a group or target for another)`
          : 'Geo map (groups at their places)';
  const day = scenario?.compressedDay;
  // On a compressed day the rows are the emulated days (dates), not weekdays.
  const timeOfDayOptions: TimeOfDayOptions = { axis: day ? 'date' : 'weekday', scale: 'linear' };
  const geoOptions: GeoMapOptions = {
    colourBy: 'value',
    fit: 'world',
    lossThresholdPct: 1,
    locations: '',
    // Towards one group or target, each collector takes the colour of its RTT to it.
    colourSources: byGroup && (pair !== undefined || group !== undefined || data.mapTarget !== undefined),
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
            <h3 data-testid="matrix-title">
              {matrixTitle}
              {group && (
                <>
                  {' · '}
                  <a href="#" data-testid="back-to-groups" style={{ color: theme.colors.text.link }}>
                    all groups
                  </a>
                </>
              )}
            </h3>
            <MatrixPanel
              {...panelProps({
                ...common,
                series: data.table,
                options: matrixOptions,
                plugin: matrixPlugin,
                fieldConfig: byGroup ? groupLinks : pairLink,
                width,
                height: 460,
              })}
            />
          </section>
          <section data-testid="section-geomap" style={{ background: theme.colors.background.primary, padding: 8 }}>
            <h3 data-testid="geomap-title">{mapTitle}</h3>
            <GeoMapPanel
              {...panelProps({
                ...common,
                series: data.map,
                options: geoOptions,
                plugin: geoMapPlugin,
                width,
                height: 460,
              })}
            />
          </section>
          {data.worst && (
            <section
              data-testid="section-worst"
              style={{ background: theme.colors.background.primary, padding: 8, width: width * 2 + 16 }}
            >
              <h3>
                Worst targets{group ? ` of ${group}` : ''} ({groupStat})
              </h3>
              <WorstTargetsTable frames={data.worst} theme={theme} />
            </section>
          )}
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
