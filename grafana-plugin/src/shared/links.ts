/**
 * Fills `${name}` placeholders of a link template with URL-encoded values; anything else (Grafana's
 * own variables such as `${__url_time_range}`) is left for the dashboard's replaceVariables.
 */
export function fillLink(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) =>
    name in values ? encodeURIComponent(values[name]!) : whole,
  );
}
