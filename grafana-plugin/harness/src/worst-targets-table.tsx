// The live page's worst-targets list: the datasource's `icmp_worst_targets` frame as a plain HTML
// table (in Grafana, the provisioned dashboards show the same frame in Grafana's own table panel).
// Values are written by Grafana's display processor from the frame's field config (units,
// decimals), as a table panel would.
import React from 'react';
import {
  formattedValueToString,
  getDisplayProcessor,
  getFieldDisplayName,
  type DataFrame,
  type GrafanaTheme2,
} from '@grafana/data';

/** The columns shown, in order (the rest of the frame, e.g. the group label itself, is left out). */
const columns = ['target', 'name', 'group_key', 'loc', 'worst_src', 'value', 'loss_pct', 'samples'];

export function WorstTargetsTable({ frames, theme }: { frames: DataFrame[]; theme: GrafanaTheme2 }) {
  const frame = frames[0];
  if (!frame || frame.length === 0) return <p data-testid="worst-empty">No target answered in this range.</p>;
  const fields = columns.flatMap((name) => frame.fields.filter((f) => f.name === name));
  const display = fields.map((field) => getDisplayProcessor({ field, theme }));
  const cell = {
    padding: '2px 10px',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    textAlign: 'left' as const,
  };
  return (
    <table data-testid="worst-table" style={{ borderCollapse: 'collapse', fontSize: 12 }}>
      <thead>
        <tr>
          {fields.map((field) => (
            <th key={field.name} style={cell}>
              {getFieldDisplayName(field, frame)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: frame.length }, (_, row) => (
          <tr key={row}>
            {fields.map((field, i) => {
              const value = field.values[row];
              return (
                <td key={field.name} style={cell}>
                  {value === null || value === undefined ? '' : formattedValueToString(display[i]!(value))}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
