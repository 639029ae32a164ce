// Every plugin.json (the app and its nested datasource and panels), in src/ and as built into
// dist/, validated with ajv against the rules of Grafana's published plugin.json schema
// (test/schema/plugin.schema.json: id pattern, required info fields, includes,
// dependencies.grafanaDependency, link URIs…), plus what the plugin catalog shows: the screenshots
// (taken by the Chromium test test/live/datasource-shapes.test.ts), links, README and CHANGELOG.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const pluginDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(readFileSync(join(pluginDir, 'test/schema/plugin.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
const pkg = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as { version: string };

interface PluginJson {
  id: string;
  type: string;
  name: string;
  info: { screenshots?: Array<{ name: string; path: string }>; links?: Array<{ name: string; url: string }> };
  includes?: Array<{ type: string; name: string }>;
}

function validator(extra: Record<string, unknown> = {}) {
  // The published patterns escape '-' (\-), which is valid only without the u flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const { $comment: _comment, ...rules } = schema;
  return ajv.compile({ ...rules, properties: { ...(rules.properties as object), ...extra } });
}

/** Every plugin.json under `root`, keyed by its folder relative to root ('' for the app). */
function pluginJsons(root: string): Map<string, PluginJson> {
  const found = new Map<string, PluginJson>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'plugin.json')
        found.set(dir.slice(root.length + 1), JSON.parse(readFileSync(path, 'utf8')));
    }
  };
  walk(root);
  return found;
}

const errorsOf = (validate: ReturnType<typeof validator>, json: unknown) =>
  validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

/** PNG width × height from its IHDR chunk. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1'), `${file} is a PNG`).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('plugin.json files against Grafana’s published plugin.json schema (ajv)', () => {
  const sources = pluginJsons(join(pluginDir, 'src'));
  const built = pluginJsons(join(pluginDir, 'dist'));

  it('finds the app and its four nested plugins in src/ and dist/', () => {
    expect([...sources.keys()].sort()).toEqual([
      '',
      'datasource',
      'panels/geomap',
      'panels/matrix',
      'panels/timeofday',
    ]);
    expect([...built.keys()].sort()).toEqual([...sources.keys()].sort());
  });

  it('passes the schema in src/ (before the build fills %VERSION% and %TODAY%)', () => {
    const validate = validator();
    for (const [dir, json] of sources) expect(errorsOf(validate, json), dir || 'app').toEqual([]);
  });

  it('passes the schema in dist/ (create-plugin’s build adds buildMode, which Grafana reads)', () => {
    const validate = validator({ buildMode: { type: 'string', enum: ['development', 'production'] } });
    for (const [dir, json] of built) {
      expect(errorsOf(validate, json), dir || 'app').toEqual([]);
      expect(json).toMatchObject({ info: { version: pkg.version } });
    }
  });

  it('would catch what Grafana rejects: a bad id, missing keywords, a relative link, an unknown field', () => {
    const validate = validator();
    const app = structuredClone(sources.get('')!) as unknown as Record<string, Record<string, unknown>>;
    expect(errorsOf(validate, { ...app, id: 'PingSphere_App' })).toContainEqual(
      expect.stringMatching(/^\/id must match pattern/),
    );
    const { keywords: _k, ...info } = app.info!;
    expect(errorsOf(validate, { ...app, info })).toContainEqual("/info must have required property 'keywords'");
    expect(
      errorsOf(validate, { ...app, info: { ...app.info, links: [{ name: 'docs', url: 'docs/' }] } }),
    ).toContainEqual('/info/links/0/url must match format "uri"');
    expect(errorsOf(validate, { ...app, dependencies: { grafanaDependency: 'eleven' } })).toContainEqual(
      expect.stringMatching(/^\/dependencies\/grafanaDependency must match pattern/),
    );
    expect(errorsOf(validate, { ...app, colour: 'blue' })).toContainEqual('/ must NOT have additional properties');
  });

  it('lists every nested plugin in the app’s includes, by type and name', () => {
    const nested = [...sources.entries()]
      .filter(([dir]) => dir !== '')
      .map(([, j]) => ({ type: j.type, name: j.name }));
    expect(sources.get('')!.includes).toEqual(expect.arrayContaining(nested));
    expect(sources.get('')!.includes).toHaveLength(nested.length);
  });

  it('shows real screenshots in the catalog: the panels as the Chromium test draws them, shipped in dist/', () => {
    // Sizes of the panels on the test's page (harness/src/shapes-page.tsx).
    const panelSize: Record<string, [number, number]> = {
      'img/screenshots/matrix.png': [600, 434],
      'img/screenshots/geomap.png': [800, 452],
      'img/screenshots/timeofday.png': [780, 300],
    };
    expect(sources.get('')!.info.screenshots).toHaveLength(3);
    for (const [dir, json] of built) {
      for (const shot of json.info.screenshots ?? []) {
        const file = join(pluginDir, 'dist', dir, shot.path);
        expect(existsSync(file), `${dir}/${shot.path}`).toBe(true);
        expect(pngSize(file), shot.path).toEqual(panelSize[shot.path]);
        expect(shot.name.length).toBeGreaterThan(10);
      }
    }
    for (const panel of ['matrix', 'geomap', 'timeofday']) {
      expect(built.get(`panels/${panel}`)!.info.screenshots?.map((s) => s.path)).toEqual([
        `img/screenshots/${panel}.png`,
      ]);
    }
  });

  it('links to https pages', () => {
    for (const [dir, json] of sources) {
      expect(json.info.links?.length, dir).toBeGreaterThan(0);
      for (const link of json.info.links ?? []) expect(link.url).toMatch(/^https:\/\//);
    }
  });

  it('ships a README and a CHANGELOG fit for the catalog', () => {
    const readme = readFileSync(join(pluginDir, 'dist/README.md'), 'utf8');
    expect(readme.split('\n')[0]).toBe('# PingSphere for Grafana');
    for (const section of [
      '## Requirements',
      '## Getting started',
      '## Panels',
      '## Datasource settings',
      '## Query model',
    ]) {
      expect(readme, section).toContain(section);
    }
    // The catalog renders the README on its own: no relative links or images that would break there.
    expect(readme).not.toMatch(/\]\((?!https?:\/\/|#)[^)]+\)/);
    const changelog = readFileSync(join(pluginDir, 'dist/CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## ${pkg.version.replaceAll('.', '\\.')}$`, 'm'));
    expect(existsSync(join(pluginDir, 'dist/LICENSE'))).toBe(true);
  });
});
