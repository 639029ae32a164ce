import { PanelPlugin } from '@grafana/data';
import { TimeOfDayPanel, type TimeOfDayOptions } from './TimeOfDayPanel';

export const plugin = new PanelPlugin<TimeOfDayOptions>(TimeOfDayPanel).setPanelOptions((builder) =>
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
    }),
);
