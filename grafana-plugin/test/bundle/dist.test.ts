// What ships: the built dist/ (made by `npm test`'s setup step from the sources). Grafana itself is
// not running here; these checks load the bundles the way Grafana's AMD loader does, with the real
// @grafana/* packages of the version the plugin claims, and check plugin.json as Grafana reads it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataSourceApi } from '@grafana/data';
import { AppPlugin, DataSourcePlugin, PanelPlugin } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { loadAmd as loadAmdWith } from './amd-loader';

const pluginDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(pluginDir, 'dist');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as { version: string };

interface PluginJson {
  type: string;
  id: string;
  name: string;
  info: {
    version: string;
    updated: string;
    keywords: string[];
    author: { name: string };
    logos: { small: string; large: string };
  };
  dependencies: { grafanaDependency: string };
  includes?: Array<{ type: string; name: string }>;
  buildMode?: string;
}

/** Every plugin.json under dist/, keyed by its folder relative to dist ('' for the app). */
function pluginJsons(): Map<string, PluginJson> {
  const found = new Map<string, PluginJson>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'plugin.json')
        found.set(dir.slice(dist.length + 1), JSON.parse(readFileSync(path, 'utf8')));
    }
  };
  walk(dist);
  return found;
}

/** Modules Grafana provides to plugins at run time; anything else must be inside the bundle. */
const grafanaProvided = new Set([
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  'react',
  'react-dom',
  'rxjs',
  '@emotion/css',
  'module',
]);

/** Evaluates an AMD module.js as Grafana's SystemJS loader would, with the real packages. */
function loadAmd(file: string) {
  return loadAmdWith(dist, file, require);
}

const expected: Record<string, { type: string; id: string; kind: unknown }> = {
  '': { type: 'app', id: 'pingsphere-app', kind: AppPlugin },
  datasource: { type: 'datasource', id: 'pingsphere-datasource', kind: DataSourcePlugin },
  'panels/matrix': { type: 'panel', id: 'pingsphere-matrix-panel', kind: PanelPlugin },
  'panels/timeofday': { type: 'panel', id: 'pingsphere-timeofday-panel', kind: PanelPlugin },
  'panels/geomap': { type: 'panel', id: 'pingsphere-geomap-panel', kind: PanelPlugin },
};

describe('the built plugin (dist/); Grafana itself is not running: bundles are loaded the way its AMD loader does', () => {
  it('is newer than every source file (npm test rebuilds it when stale)', () => {
    expect(
      existsSync(join(dist, 'module.js')),
      'dist/ is missing: run `npm run build --workspace grafana-plugin`',
    ).toBe(true);
    const built = statSync(join(dist, '.build-stamp')).mtimeMs;
    const newest = (dir: string): number =>
      Math.max(
        0,
        ...readdirSync(dir, { withFileTypes: true }).map((e) =>
          e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
        ),
      );
    expect(built, 'dist/ is older than src/: run `npm run build --workspace grafana-plugin`').toBeGreaterThanOrEqual(
      newest(join(pluginDir, 'src')),
    );
  });

  it('holds the app and its nested datasource and panels, each with its plugin.json, logos and module.js', () => {
    // The plugin.json rules themselves are checked against Grafana's schema in plugin-json.test.ts.
    const jsons = pluginJsons();
    expect([...jsons.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [dir, json] of jsons) {
      const want = expected[dir]!;
      expect(json).toMatchObject({ type: want.type, id: want.id, buildMode: 'production' });
      expect(json.info.version).toBe(pkg.version);
      expect(json.dependencies.grafanaDependency).toBe('>=11.0.0');
      for (const logo of [json.info.logos.small, json.info.logos.large]) {
        expect(existsSync(join(dist, dir, logo)), `${dir}/${logo}`).toBe(true);
      }
      expect(existsSync(join(dist, dir, 'module.js')), `${dir}/module.js`).toBe(true);
    }
  });

  it('exports each plugin object from its module.js, importing only what Grafana provides', () => {
    for (const [dir, want] of Object.entries(expected)) {
      const file = dir ? `${dir}/module.js` : 'module.js';
      const { deps, exports } = loadAmd(file);
      for (const dep of deps) expect(grafanaProvided, `${file} imports ${dep}`).toContain(dep);
      expect(exports.plugin, file).toBeInstanceOf(want.kind as new () => unknown);
    }
  });

  it('gives Grafana a datasource class with a query editor, and panels with options', () => {
    const ds = loadAmd('datasource/module.js').exports.plugin as DataSourcePlugin<DataSourceApi>;
    expect(typeof ds.DataSourceClass).toBe('function');
    expect(ds.components.QueryEditor).toBeDefined();
    expect(ds.components.ConfigEditor).toBeDefined();
    expect(ds.components.VariableQueryEditor).toBeDefined();
    for (const dir of ['panels/matrix', 'panels/timeofday', 'panels/geomap']) {
      const panel = loadAmd(`${dir}/module.js`).exports.plugin as PanelPlugin;
      expect(typeof panel.panel, dir).toBe('function');
      expect(panel.getPanelOptionsSupplier(), dir).toBeInstanceOf(Function);
    }
  });

  it('bundles the world geometry and the city table, so the map needs no network', () => {
    const geomap = readFileSync(join(dist, 'panels/geomap/module.js'), 'utf8');
    expect(geomap).toContain('"Frankfurt am Main","DE"');
    expect(geomap).toContain('"Topology"');
    expect(geomap).not.toMatch(/https?:\/\/[^"'\s]*\{z\}/); // no tile URL templates
  });
});
