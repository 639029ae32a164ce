import { PanelPlugin } from '@grafana/data';
import { addPairFieldOptions, standardFieldConfig } from '../../shared/field-options';
import { MatrixPanel } from './MatrixPanel';
import { migrateMatrixPanel } from './migration';
import { defaultMatrixOptions, type MatrixOptions } from './types';

export const plugin = new PanelPlugin<MatrixOptions>(MatrixPanel)
  .setMigrationHandler(migrateMatrixPanel)
  .useFieldConfig(standardFieldConfig)
  .setPanelOptions((builder) => {
    builder
      .addRadio({
        path: 'mode',
        name: 'Colour by',
        defaultValue: defaultMatrixOptions.mode,
        settings: {
          options: [
            { label: 'Statistic', value: 'value' },
            { label: 'Asymmetry (A→B − B→A)', value: 'asymmetry' },
          ],
        },
      })
      .addRadio({
        path: 'order',
        name: 'Order rows and columns',
        description: 'By location groups collectors of one place together (clustered, with location bands).',
        defaultValue: defaultMatrixOptions.order,
        settings: {
          options: [
            { label: 'Location', value: 'location' },
            { label: 'Name', value: 'name' },
            { label: 'Row mean', value: 'value' },
          ],
        },
      })
      .addRadio({
        path: 'scale',
        name: 'Colour scale',
        description: 'Spacing of the colour scheme between min and max (Standard options).',
        defaultValue: defaultMatrixOptions.scale,
        settings: {
          options: [
            { label: 'Linear', value: 'linear' },
            { label: 'Log', value: 'log' },
          ],
        },
      })
      .addNumberInput({
        path: 'lossThresholdPct',
        name: 'Mark loss from (%)',
        defaultValue: defaultMatrixOptions.lossThresholdPct,
      });
    addPairFieldOptions(builder);
  });
