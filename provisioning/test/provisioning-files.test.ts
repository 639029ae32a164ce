// Every provisioning file against the fields and value types Grafana's provisioning accepts
// (schema/grafana-provisioning.ts, from Grafana's Go structs), validated with ajv; dashboards
// against @grafana/schema's Dashboard type (dashboard-types.test.ts). Grafana itself is not
// running: a file that passes here can still hold a value Grafana rejects at run time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '@pingsphere/testbed';
import { alertingFile, dashboardProvidersFile, datasourcesFile, pluginsFile } from './schema/grafana-provisioning';

const dir = join(repoRoot, 'provisioning');
const yamlFiles = (sub: string) =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ file: `${sub}/${f}`, content: parse(readFileSync(join(dir, sub, f), 'utf8')) as unknown }));

function errors(schema: Record<string, unknown>, value: unknown): string[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const kinds = [
  ['datasources', datasourcesFile],
  ['dashboards', dashboardProvidersFile],
  ['plugins', pluginsFile],
  ['alerting', alertingFile],
] as const;

describe('provisioning files against the fields Grafana’s provisioning reads (ajv); Grafana is not running', () => {
  it.each(kinds)('%s/*.yaml', (sub, schema) => {
    const files = yamlFiles(sub);
    expect(files.length).toBeGreaterThan(0);
    for (const { file, content } of files) expect(errors(schema, content), file).toEqual([]);
  });

  it('would catch a misspelt field, a wrong type and an unknown state', () => {
    const [ds] = yamlFiles('datasources');
    const source = structuredClone(ds!.content) as { datasources: Record<string, unknown>[] };
    source.datasources[0]!.jsondata = {};
    expect(errors(datasourcesFile, source)).toEqual(['/datasources/0 must NOT have additional properties']);
    const rules = structuredClone(yamlFiles('alerting').find((f) => f.file.endsWith('rules.yaml'))!.content) as {
      groups: Array<{ rules: Record<string, unknown>[] }>;
    };
    rules.groups[0]!.rules[0]!.noDataState = 'Ok';
    rules.groups[0]!.rules[0]!.for = 5;
    expect(errors(alertingFile, rules)).toEqual(
      expect.arrayContaining([
        '/groups/0/rules/0/noDataState must be equal to one of the allowed values',
        '/groups/0/rules/0/for must be string',
      ]),
    );
  });
});
