// dist/ against the @grafana packages of each Grafana major the plugin claims beyond the 11.0 it is
// built with: 12.4 (React 18.3) and 13.2 (React 19), installed side by side in compat/grafana-NN by
// scripts/setup.mjs. Grafana itself is not running: the sources are type-checked with tsc against
// each version's types, each module.js is loaded the way Grafana's AMD loader does with that
// version's packages, and the panels and the query editor are rendered in jsdom with that
// version's React, theme and @grafana/ui.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAmd } from './amd-loader';

const pluginDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(pluginDir, 'dist');
const tsc = join(pluginDir, '..', 'node_modules/typescript/bin/tsc');

const majors = [
  { grafana: '12.4.10', dir: 'compat/grafana-12', react: /^18\.3\./ },
  { grafana: '13.2.3', dir: 'compat/grafana-13', react: /^19\./ },
];

/* eslint-disable @typescript-eslint/no-explicit-any -- modules of another version, typed by nothing here */
describe.each(majors)(
  'dist/ with Grafana $grafana’s packages; Grafana itself is not running',
  ({ grafana, dir, react }) => {
    const root = join(pluginDir, dir);
    const load = createRequire(join(root, 'package.json'));
    const data = () => load('@grafana/data') as any;

    it('has that version installed (scripts/setup.mjs installs it)', () => {
      expect(existsSync(join(root, 'node_modules')), `${dir}: run node scripts/setup.mjs`).toBe(true);
      expect((load('@grafana/data/package.json') as { version: string }).version).toBe(grafana);
      expect((load('@grafana/ui/package.json') as { version: string }).version).toBe(grafana);
      expect((load('react/package.json') as { version: string }).version).toMatch(react);
    });

    // A compile, not a timing check: tsc over @grafana/ui's types takes minutes on a loaded 2-core machine.
    it('type-checks the plugin’s sources against its types', { timeout: 600_000 }, () => {
      const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('loads every module.js as the plugin object Grafana expects', () => {
      const kinds: Record<string, string> = {
        'module.js': 'AppPlugin',
        'datasource/module.js': 'DataSourcePlugin',
        'panels/matrix/module.js': 'PanelPlugin',
        'panels/timeofday/module.js': 'PanelPlugin',
        'panels/geomap/module.js': 'PanelPlugin',
      };
      for (const [file, kind] of Object.entries(kinds)) {
        const { exports } = loadAmd(dist, file, load);
        expect(exports.plugin, file).toBeInstanceOf(data()[kind]);
      }
    });

    it('renders the matrix with that React and @grafana/ui: cells, legend, tooltip through the display processor', async () => {
      const { createElement, act } = load('react') as any;
      const { createRoot } = load('react-dom/client') as any;
      const { createDataFrame, createTheme, FieldType, ThemeContext } = data();
      (globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
      const panel = loadAmd(dist, 'panels/matrix/module.js', load).exports.plugin as any;
      const frame = createDataFrame({
        fields: [
          { name: 'src', type: FieldType.string, values: ['fra', 'nyc'] },
          { name: 'dst', type: FieldType.string, values: ['nyc', 'fra'] },
          { name: 'value', type: FieldType.number, values: [10, 30], config: { unit: 'ms', decimals: 1 } },
        ],
      });
      const container = document.createElement('div');
      document.body.appendChild(container);
      const root = createRoot(container);
      const props = {
        data: { state: 'Done', series: [frame] },
        options: { mode: 'value', order: 'name', scale: 'linear', lossThresholdPct: 1 },
        fieldConfig: { defaults: {}, overrides: [] },
        width: 600,
        height: 434,
        timeZone: 'utc',
        replaceVariables: (s: string) => s,
      };
      await act(async () =>
        root.render(createElement(ThemeContext.Provider, { value: createTheme() }, createElement(panel.panel, props))),
      );
      expect(container.querySelector('[data-testid="matrix-canvas"]')!.getAttribute('aria-label')).toBe(
        'latency matrix 2 × 2',
      );
      const ticks = [...container.querySelectorAll('[data-testid="legend-tick"]')].map((t) => t.textContent);
      expect(ticks).toEqual(['10.0 ms', '20.0 ms', '30.0 ms']);
      // Order by name, no location band: labels of ceil(3 × 6.82) + 6 = 27 px, cells of (400 − 27) / 2 = 186.5 px.
      const overlay = container.querySelector('[data-testid="matrix-overlay"]')!;
      await act(async () => {
        overlay.dispatchEvent(
          new MouseEvent('mousemove', { bubbles: true, clientX: 27 + 1.5 * 186.5, clientY: 27 + 0.5 * 186.5 }),
        );
      });
      const lines = [...container.querySelectorAll('[data-testid="matrix-tooltip"] > div')].map((d) => d.textContent);
      expect(lines.slice(0, 3)).toEqual(['fra (?) ↔ nyc (?)', 'fra → nyc: 10.0 ms', 'nyc → fra: 30.0 ms']);
      await act(async () => root.unmount());
      container.remove();
    });

    it('renders the time-of-day and geo map panels and the datasource’s query editor', async () => {
      const { createElement, act } = load('react') as any;
      const { createRoot } = load('react-dom/client') as any;
      const { createDataFrame, createTheme, FieldType, ThemeContext } = data();
      (globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
      const theme = createTheme();
      const render = async (element: unknown) => {
        const container = document.createElement('div');
        document.body.appendChild(container);
        const root = createRoot(container);
        await act(async () => root.render(createElement(ThemeContext.Provider, { value: theme }, element)));
        const text = container.textContent;
        await act(async () => root.unmount());
        container.remove();
        return text;
      };
      const series = createDataFrame({
        fields: [
          { name: 'Time', type: FieldType.time, values: [Date.parse('2026-11-23T18:10:00Z')] },
          { name: 'value', type: FieldType.number, values: [40], config: { unit: 'ms' } },
        ],
      });
      const common = {
        fieldConfig: { defaults: {}, overrides: [] },
        width: 780,
        height: 300,
        timeZone: 'utc',
        replaceVariables: (s: string) => s,
      };
      const timeOfDay = loadAmd(dist, 'panels/timeofday/module.js', load).exports.plugin as any;
      expect(
        await render(
          createElement(timeOfDay.panel, {
            ...common,
            data: { state: 'Done', series: [series] },
            options: { axis: 'weekday', scale: 'linear' },
          }),
        ),
      ).toContain('highest at 18:00–19:00: 40 ms');
      const pairs = createDataFrame({
        fields: [
          { name: 'src', type: FieldType.string, values: ['fra'] },
          { name: 'dst', type: FieldType.string, values: ['nyc'] },
          { name: 'src_loc', type: FieldType.string, values: ['Frankfurt,DE'] },
          { name: 'dst_loc', type: FieldType.string, values: ['New York City,US'] },
          { name: 'value', type: FieldType.number, values: [80] },
        ],
      });
      const geo = loadAmd(dist, 'panels/geomap/module.js', load).exports.plugin as any;
      expect(
        await render(
          createElement(geo.panel, {
            ...common,
            data: { state: 'Done', series: [pairs] },
            options: { colourBy: 'value', fit: 'world', lossThresholdPct: 1, locations: '' },
          }),
        ),
      ).toContain('2 nodes, 1 directed links');
      const ds = loadAmd(dist, 'datasource/module.js', load).exports.plugin as any;
      const editor = await render(
        createElement(ds.components.QueryEditor, {
          query: { refId: 'A' },
          onChange: () => undefined,
          onRunQuery: () => undefined,
          datasource: {},
        }),
      );
      expect(editor).toMatch(/Family/);
    });
  },
);
