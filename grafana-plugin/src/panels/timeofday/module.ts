import { FieldType, PanelPlugin, type Field } from '@grafana/data';
import { standardFieldConfig } from '../../shared/field-options';
import { TimeOfDayPanel, type TimeOfDayOptions } from './TimeOfDayPanel';

export const plugin = new PanelPlugin<TimeOfDayOptions>(TimeOfDayPanel)
  .useFieldConfig(standardFieldConfig)
  .setPanelOptions((builder) =>
    builder
      .addRadio({
        path: 'axis',
        name: 'Rows',
        defaultValue: 'weekday',
        settings: {
          options: [
            { label: 'Day of week', value: 'weekday' },
            { label: 'Date', value: 'date' },
          ],
        },
      })
      .addRadio({
        path: 'scale',
        name: 'Colour scale',
        defaultValue: 'linear',
        settings: {
          options: [
            { label: 'Linear', value: 'linear' },
            { label: 'Log', value: 'log' },
          ],
        },
      })
      .addFieldNamePicker({
        path: 'fields.time',
        name: 'Time',
        description: 'Empty = the first time field of each frame.',
        category: ['Fields'],
        defaultValue: '',
        settings: { filter: (f: Field) => f.type === FieldType.time },
      })
      .addFieldNamePicker({
        path: 'fields.value',
        name: 'Value',
        description: 'Empty = the first number field of each frame.',
        category: ['Fields'],
        defaultValue: '',
        settings: { filter: (f: Field) => f.type === FieldType.number },
      }),
  );
