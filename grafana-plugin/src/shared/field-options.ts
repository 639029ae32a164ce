// The panel-options builders the panels share: the field mapping (category "Fields") and the
// standard options every panel of this plugin uses (Grafana's field config, with a continuous
// green-yellow-red scheme by default so a latency reads low = good without any setup).
import {
  FieldColorModeId,
  FieldConfigProperty,
  FieldType,
  fieldReducers,
  ReducerID,
  type Field,
  type PanelOptionsEditorBuilder,
  type SetFieldConfigOptionsArgs,
} from '@grafana/data';
import { defaultPairFields, type PairFieldMapping } from './frame-fields';

const category = ['Fields'];

/** Source, target, value, loss, samples and location fields, plus the reducer for repeated pairs. */
export function addPairFieldOptions<T extends { fields: PairFieldMapping }>(builder: PanelOptionsEditorBuilder<T>) {
  const nameOrLabel = (path: keyof PairFieldMapping, name: string, description: string) =>
    builder.addTextInput({
      path: `fields.${path}`,
      name,
      description: `${description} A field name, a field's display name, or a label of the value field (Prometheus series).`,
      category,
      defaultValue: defaultPairFields[path],
    });
  nameOrLabel('source', 'Source', 'Who measured (matrix rows).');
  nameOrLabel('target', 'Target', 'What was measured (matrix columns).');
  builder.addFieldNamePicker({
    path: 'fields.value',
    name: 'Value',
    description: 'The number that colours a pair (its unit, decimals and colours come from the standard options).',
    category,
    defaultValue: defaultPairFields.value,
    settings: { filter: (f: Field) => f.type === FieldType.number },
  });
  builder.addFieldNamePicker({
    path: 'fields.loss',
    name: 'Loss %',
    description: 'Optional: percentage of probes lost (marked apart from the value colours).',
    category,
    defaultValue: defaultPairFields.loss,
    settings: { filter: (f: Field) => f.type === FieldType.number },
  });
  builder.addFieldNamePicker({
    path: 'fields.samples',
    name: 'Samples',
    description: 'Optional: how many measurements a value stands for (shown in tooltips).',
    category,
    defaultValue: defaultPairFields.samples,
    settings: { filter: (f: Field) => f.type === FieldType.number },
  });
  for (const [path, name, description] of [
    ['targets', 'Targets', 'Optional: how many targets a cell stands for (a target group).'],
    ['down', 'Targets down', 'Optional: how many of those are down (marked in the cell, counted in tooltips).'],
  ] as const) {
    builder.addFieldNamePicker({
      path: `fields.${path}`,
      name,
      description,
      category,
      defaultValue: defaultPairFields[path],
      settings: { filter: (f: Field) => f.type === FieldType.number },
    });
  }
  nameOrLabel('sourceLocation', 'Source location', 'Optional: "City,CC" of the source.');
  nameOrLabel('targetLocation', 'Target location', 'Optional: "City,CC" of the target.');
  builder.addSelect({
    path: 'fields.reducer',
    name: 'Reduce repeated pairs with',
    description: 'A pair on several rows (time series, rows over time) becomes one value with this calculation.',
    category,
    defaultValue: defaultPairFields.reducer,
    settings: {
      options: [ReducerID.mean, ReducerID.lastNotNull, ReducerID.max, ReducerID.min, ReducerID.last].map((id) => {
        const info = fieldReducers.get(id);
        return { value: id, label: info.name, description: info.description };
      }),
    },
  });
  return builder;
}

/** Grafana's standard options as these panels use them: colour by value, green-yellow-red by default. */
export const standardFieldConfig: SetFieldConfigOptionsArgs = {
  standardOptions: {
    [FieldConfigProperty.Color]: {
      settings: { byValueSupport: true, bySeriesSupport: false, preferThresholdsMode: false },
      defaultValue: { mode: FieldColorModeId.ContinuousGrYlRd },
    },
  },
};
