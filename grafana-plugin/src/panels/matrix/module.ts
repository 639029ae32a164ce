import { PanelPlugin } from '@grafana/data';
import { MatrixPanel } from './MatrixPanel';
import { defaultMatrixOptions, type MatrixOptions } from './types';

export const plugin = new PanelPlugin<MatrixOptions>(MatrixPanel).setPanelOptions((builder) =>
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
      defaultValue: defaultMatrixOptions.scale,
      settings: {
        options: [
          { label: 'Linear', value: 'linear' },
          { label: 'Log', value: 'log' },
        ],
      },
    })
    .addNumberInput({ path: 'min', name: 'Scale minimum', description: 'Empty = the data’s minimum' })
    .addNumberInput({ path: 'max', name: 'Scale maximum', description: 'Empty = the data’s maximum' })
    .addNumberInput({
      path: 'lossThresholdPct',
      name: 'Mark loss from (%)',
      defaultValue: defaultMatrixOptions.lossThresholdPct,
    })
    .addTextInput({
      path: 'pairLink',
      name: 'Cell link',
      description: 'Opened on click; ${src}, ${dst}, ${src_loc}, ${dst_loc} and dashboard variables are filled in.',
      defaultValue: defaultMatrixOptions.pairLink,
    }),
);
