// Values as text through Grafana's display processor: the field's unit, decimals and no-value
// text, exactly as Grafana's own panels write them in tooltips and legends.
import { formattedValueToString, getDisplayProcessor, type Field, type GrafanaTheme2 } from '@grafana/data';

/** Text of a value of `field` ("21.5 ms", "2.50%"); missing values read as the field's No value, else "no data". */
export function formatField(field: Field | undefined, value: number, theme: GrafanaTheme2): string {
  const raw = Number.isFinite(value) ? value : null;
  if (!field) return raw === null ? 'no data' : String(raw);
  const display = field.display ?? getDisplayProcessor({ field, theme });
  return formattedValueToString(display(raw)) || 'no data';
}
