// Saved panels of 0.1.0 (JSON as a dashboard of that version stores it) through the migration
// Grafana runs when a panel's pluginVersion differs from the plugin's: no setting is lost, and
// the result is what 0.2 shows. Grafana itself is not running: the handler is called the way
// PanelModel.pluginLoaded calls it, and the options then get the plugin's defaults with
// @grafana/data's getPanelOptionsWithDefaults, as Grafana does next.
import { getPanelOptionsWithDefaults, PanelOptionsEditorBuilder, type PanelModel } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import '../../harness/src/panel-host'; // Grafana's option registries (emulated)
import { plugin as geoMapPlugin } from '../../src/panels/geomap/module';
import { plugin as matrixPlugin } from '../../src/panels/matrix/module';
import { legacyLinkToDataLink } from '../../src/panels/matrix/migration';
import { defaultPairLink } from '../../src/panels/matrix/types';
import { plugin as timeOfDayPlugin } from '../../src/panels/timeofday/module';
import { savedBefore } from '../../src/panels/matrix/migration';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as {
  version: string;
};

/** A matrix panel as 0.1.0 saved it: every option it had, set away from its default. */
const savedMatrix = {
  id: 4,
  type: 'pingsphere-matrix-panel',
  pluginVersion: '0.1.0',
  title: 'HTTP asymmetry',
  options: {
    mode: 'asymmetry',
    order: 'value',
    scale: 'log',
    min: 2,
    max: 400,
    lossThresholdPct: 5,
    pairLink: '/d/my-pair/my-pair?var-a=${src}&var-b=${dst}&var-where=${src_loc}:${dst_loc}&${__url_time_range}',
  },
  fieldConfig: { defaults: { unit: 'ms', decimals: 2 }, overrides: [] },
};

async function migrate(saved: typeof savedMatrix | Record<string, unknown>) {
  const panel = structuredClone(saved) as unknown as PanelModel;
  const options = await matrixPlugin.onPanelMigration!(panel);
  return getPanelOptionsWithDefaults({
    plugin: matrixPlugin,
    currentOptions: options,
    currentFieldConfig: panel.fieldConfig,
    isAfterPluginChange: false,
  });
}

describe('saved 0.1.0 panels in 0.2; Grafana is not running: the migration handler is called as Grafana calls it', () => {
  it('is the version Grafana compares saved panels with', () => {
    expect(pkg.version).toBe('0.3.0');
    expect(savedMatrix.pluginVersion).not.toBe(pkg.version); // so Grafana runs the handler
  });

  it('keeps every matrix setting: mode, order, scale and loss mark as options, min/max and the link in field config', async () => {
    const { options, fieldConfig } = await migrate(savedMatrix);
    expect(options).toMatchObject({ mode: 'asymmetry', order: 'value', scale: 'log', lossThresholdPct: 5 });
    expect(options).not.toHaveProperty('pairLink');
    expect(options).not.toHaveProperty('min');
    expect(fieldConfig.defaults).toMatchObject({ unit: 'ms', decimals: 2, min: 2, max: 400 });
    expect(fieldConfig.defaults.links).toEqual([
      {
        title: 'Pair detail',
        url: '/d/my-pair/my-pair?var-a=${__data.fields.src}&var-b=${__data.fields.dst}&var-where=${__data.fields.src_loc}:${__data.fields.dst_loc}&${__url_time_range}',
      },
    ]);
    // The field mapping reads the same columns 0.1 read.
    expect(options.fields).toMatchObject({ source: 'src', target: 'dst', value: 'value', loss: 'loss_pct' });
    // 0.1 always coloured green → red: the same look.
    expect(fieldConfig.defaults.color).toEqual({ mode: 'continuous-GrYlRd' });
  });

  it('gives a 0.1 panel that saved no link the Pair detail link it used to open, and one that cleared it none', async () => {
    const { pairLink: _dropped, ...withoutLink } = savedMatrix.options;
    const noneSaved = await migrate({ ...savedMatrix, options: withoutLink });
    expect(noneSaved.fieldConfig.defaults.links).toEqual([{ title: 'Pair detail', url: defaultPairLink }]);
    expect(defaultPairLink).toBe(
      legacyLinkToDataLink('/d/pingsphere-pair/pingsphere-pair?var-src=${src}&var-dst=${dst}&${__url_time_range}'),
    );
    const cleared = await migrate({ ...savedMatrix, options: { ...savedMatrix.options, pairLink: '' } });
    expect(cleared.fieldConfig.defaults.links ?? []).toEqual([]);
  });

  it('does not duplicate the link or override min/max already set in field config', async () => {
    const again = await migrate({
      ...savedMatrix,
      fieldConfig: {
        defaults: {
          min: 0,
          links: [{ title: 'Pair detail', url: legacyLinkToDataLink(savedMatrix.options.pairLink) }],
        },
        overrides: [],
      },
    });
    expect(again.fieldConfig.defaults.min).toBe(0);
    expect(again.fieldConfig.defaults.links).toHaveLength(1);
  });

  it('keeps every saved option of the geo map and time-of-day panels (they are all still options)', () => {
    const saved = {
      'pingsphere-geomap-panel': [
        geoMapPlugin,
        { colourBy: 'loss', fit: 'collectors', lossThresholdPct: 3, locations: 'lab = 1, 2' },
      ],
      'pingsphere-timeofday-panel': [timeOfDayPlugin, { axis: 'date', scale: 'log' }],
    } as const;
    for (const [type, [plugin, options]] of Object.entries(saved)) {
      const builder = new PanelOptionsEditorBuilder<never>();
      (plugin.getPanelOptionsSupplier() as unknown as (b: typeof builder, c: { data: [] }) => void)(builder, {
        data: [],
      });
      const paths = new Set(builder.getItems().map((i) => i.path));
      for (const key of Object.keys(options)) expect(paths, `${type}: ${key}`).toContain(key);
      const { options: withDefaults } = getPanelOptionsWithDefaults({
        plugin,
        currentOptions: options,
        currentFieldConfig: { defaults: {}, overrides: [] },
        isAfterPluginChange: false,
      });
      expect(withDefaults, type).toMatchObject(options);
    }
  });
});

describe('saved 0.2.0 panels in 0.3 (the group matrix and target-centric map); Grafana is not running', () => {
  /** A matrix panel as 0.2.0 saved it: its own data link, no 0.1 options, the 0.2 mapping. */
  const saved02 = {
    id: 7,
    type: 'pingsphere-matrix-panel',
    pluginVersion: '0.2.0',
    options: {
      mode: 'value',
      order: 'name',
      scale: 'linear',
      lossThresholdPct: 2,
      fields: {
        source: 'from',
        target: 'to',
        value: 'v',
        loss: 'l',
        samples: 's',
        sourceLocation: 'a',
        targetLocation: 'b',
        reducer: 'max',
      },
    },
    fieldConfig: {
      defaults: { unit: 's', links: [{ title: 'Mine', url: '/d/x?var-a=${__data.fields.from}' }] },
      overrides: [],
    },
  };

  it('compares versions by major and minor', () => {
    expect([savedBefore('0.1.3', 0, 2), savedBefore(undefined, 0, 2), savedBefore('0.2.0', 0, 2)]).toEqual([
      true,
      true,
      false,
    ]);
    expect([savedBefore('0.2.9', 0, 3), savedBefore('1.0.0', 0, 3)]).toEqual([true, false]);
  });

  it('matrix: keeps the saved mapping and links as they are, adds the new targets/down fields with defaults', async () => {
    const { options, fieldConfig } = await migrate(saved02);
    expect(options.fields).toEqual({ ...saved02.options.fields, targets: 'targets', down: 'targets_down' });
    expect(options).toMatchObject({ order: 'name', lossThresholdPct: 2 });
    // Not treated as 0.1: no Pair detail link added to the panel's own.
    expect(fieldConfig.defaults.links).toEqual(saved02.fieldConfig.defaults.links);
    expect(fieldConfig.defaults.unit).toBe('s');
  });

  it('geo map: source colouring stays off for a saved panel, its options and mapping are kept', async () => {
    const panel = {
      id: 8,
      type: 'pingsphere-geomap-panel',
      pluginVersion: '0.2.0',
      options: {
        colourBy: 'loss',
        fit: 'collectors',
        lossThresholdPct: 3,
        locations: 'lab = 1, 2',
        fields: { source: 'from' },
      },
      fieldConfig: { defaults: {}, overrides: [] },
    } as unknown as PanelModel;
    const options = (await geoMapPlugin.onPanelMigration!(panel)) as Record<string, unknown>;
    expect(options).toMatchObject({
      colourBy: 'loss',
      fit: 'collectors',
      lossThresholdPct: 3,
      locations: 'lab = 1, 2',
    });
    expect(options.colourSources).toBe(false);
    expect(options.fields).toMatchObject({ source: 'from', target: 'dst', targets: 'targets', down: 'targets_down' });
  });
});
