import { PanelPlugin } from '@grafana/data';
import { addPairFieldOptions, standardFieldConfig } from '../../shared/field-options';
import { GeoMapPanel, type GeoMapOptions } from './GeoMapPanel';
import { migrateGeoMapPanel } from './migration';

export const plugin = new PanelPlugin<GeoMapOptions>(GeoMapPanel)
  .setMigrationHandler(migrateGeoMapPanel)
  .useFieldConfig(standardFieldConfig)
  .setPanelOptions((builder) => {
    builder
      .addRadio({
        path: 'colourBy',
        name: 'Colour links by',
        defaultValue: 'value',
        settings: {
          options: [
            { label: 'Statistic', value: 'value' },
            { label: 'Loss %', value: 'loss' },
          ],
        },
      })
      .addRadio({
        path: 'fit',
        name: 'Show',
        defaultValue: 'world',
        settings: {
          options: [
            { label: 'Whole world', value: 'world' },
            { label: 'Collectors’ region', value: 'collectors' },
          ],
        },
      })
      .addNumberInput({ path: 'lossThresholdPct', name: 'Mark loss from (%)', defaultValue: 1 })
      .addBooleanSwitch({
        path: 'colourSources',
        name: 'Colour sources by their link',
        description:
          'Fill each source with the colour of its link (its worst one): the target-centric map, one target or group seen from every collector.',
        defaultValue: false,
      })
      .addTextInput({
        path: 'locations',
        name: 'Locations',
        description: 'One "name-or-location = lat,lon" per line; beats the bundled city table.',
        settings: { useTextarea: true, rows: 4 },
        defaultValue: '',
      });
    addPairFieldOptions(builder);
  });
