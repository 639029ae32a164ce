import { PanelPlugin } from '@grafana/data';
import { addPairFieldOptions, standardFieldConfig } from '../../shared/field-options';
import { GeoMapPanel, type GeoMapOptions } from './GeoMapPanel';

export const plugin = new PanelPlugin<GeoMapOptions>(GeoMapPanel)
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
      .addTextInput({
        path: 'locations',
        name: 'Locations',
        description: 'One "name-or-location = lat,lon" per line; beats the bundled city table.',
        settings: { useTextarea: true, rows: 4 },
        defaultValue: '',
      });
    addPairFieldOptions(builder);
  });
