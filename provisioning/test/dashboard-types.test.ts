// The provisioned dashboards against @grafana/schema's Dashboard type — of Grafana 11.0 (the oldest
// the plugin claims) and 13.2 (the compose file's) — and the PingSphere panels' options against the
// plugin's own option types: each dashboard is written out as a TypeScript object literal typed
// `Dashboard` and compiled with tsc, so an unknown field (excess property), a wrong value type or a
// value outside a union is a compile error. Grafana itself is not running.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@pingsphere/testbed';

const dashboardsDir = join(repoRoot, 'provisioning/dashboards');
const dashboards = readdirSync(dashboardsDir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    file,
    json: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Record<string, unknown>,
  }));
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
const pluginSrc = join(repoRoot, 'grafana-plugin/src');

/** Options types of the plugin's panels, by panel id. */
const optionTypes: Record<string, { import: string; type: string }> = {
  'pingsphere-matrix-panel': { import: `${pluginSrc}/panels/matrix/types`, type: 'MatrixOptions' },
  'pingsphere-geomap-panel': { import: `${pluginSrc}/panels/geomap/GeoMapPanel`, type: 'GeoMapOptions' },
  'pingsphere-timeofday-panel': { import: `${pluginSrc}/panels/timeofday/TimeOfDayPanel`, type: 'TimeOfDayOptions' },
};

/** A TypeScript module that only compiles if `dashboard` fits @grafana/schema's Dashboard and our options types. */
function typedModule(dashboard: Record<string, unknown>): string {
  const panels = (dashboard.panels as Array<{ type: string; options?: unknown }>) ?? [];
  const lines = [
    "import type { AnnotationQuery, Dashboard, DataQuery } from '@grafana/schema';",
    // Grafana's SQL datasources keep an annotation's query (rawSql, format) in `target`, which
    // @grafana/schema types as a bare DataQuery (its own TODO: "should just be a normal query
    // target"); panel targets are open records already. The rest of an annotation stays checked.
    "type SqlAnnotation = Omit<AnnotationQuery, 'target'> & { target?: DataQuery & Record<string, unknown> };",
    "type ProvisionedDashboard = Omit<Dashboard, 'annotations'> & { annotations?: { list?: SqlAnnotation[] } };",
    // JSON holds an enum's string value where the types name the enum member: compare as strings.
    'type Json<T> = T extends string ? `${T}` : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;',
    ...Object.values(optionTypes).map((t) => `import type { ${t.type} } from '${t.import}';`),
    `export const dashboard: Json<ProvisionedDashboard> = ${JSON.stringify(dashboard, null, 1)};`,
  ];
  panels.forEach((panel, i) => {
    const type = optionTypes[panel.type];
    if (type) lines.push(`export const options${i}: Partial<${type.type}> = ${JSON.stringify(panel.options ?? {})};`);
  });
  return lines.join('\n') + '\n';
}

const versions = [
  // Resolves @grafana/schema from the repository's node_modules (11.0.2, what the plugin builds with).
  { grafana: '11.0.2', root: join(repoRoot, '.cache') },
  // Resolves it from the 13.2 packages setup.mjs installs for the plugin's checks.
  { grafana: '13.2.3', root: join(repoRoot, 'grafana-plugin/compat/grafana-13') },
];
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe.each(versions)(
  "provisioned dashboards against @grafana/schema $grafana's Dashboard type (tsc); Grafana is not running",
  ({ grafana, root }) => {
    // A compile, not a timing check: tsc over @grafana/schema takes minutes on a loaded 2-core machine.
    it('compile: every field is one Grafana knows, with a value of its type', { timeout: 600_000 }, () => {
      const dir = mkdtempSync(join(root, '.dashboard-types-'));
      scratch.push(dir);
      const schemaVersion = JSON.parse(
        readFileSync(require.resolve('@grafana/schema/package.json', { paths: [dir] }), 'utf8'),
      ) as { version: string };
      expect(schemaVersion.version).toBe(grafana);
      const files = dashboards.map(({ file, json }) => {
        const path = join(dir, file.replace(/\.json$/, '.ts'));
        writeFileSync(path, typedModule(json));
        return path;
      });
      // The same check must fail on a misspelt field and on a wrong matrix option.
      const broken = structuredClone(dashboards.find((d) => d.file === 'mesh-overview.json')!.json);
      broken.refesh = '30s';
      const matrix = (broken.panels as Array<{ type: string; options: Record<string, unknown> }>).find(
        (p) => p.type === 'pingsphere-matrix-panel',
      )!;
      matrix.options.mode = 'sideways';
      const brokenPath = join(dir, 'broken.ts');
      writeFileSync(brokenPath, typedModule(broken));
      const result = spawnSync(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--target',
          'es2022',
          '--module',
          'esnext',
          '--moduleResolution',
          'bundler',
          '--jsx',
          'react',
          ...files,
          brokenPath,
        ],
        { encoding: 'utf8' },
      );
      const output = result.stdout + result.stderr;
      const errorsIn = (path: string) =>
        output.split('\n').filter((l) => l.startsWith(path.slice(repoRoot.length + 1)) || l.startsWith(path));
      for (const path of files) expect(errorsIn(path), path).toEqual([]);
      const brokenErrors = errorsIn(brokenPath).join('\n');
      expect(brokenErrors).toMatch(/'"refesh"' does not exist in type/);
      expect(brokenErrors).toMatch(/"sideways"/);
    });
  },
);
