/** Grafana's zone setting ("browser", "utc", "", an IANA name) → an IANA zone name. */
export function resolveTimeZone(zone: string | undefined): string {
  if (!zone || zone === 'browser') return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  if (zone.toLowerCase() === 'utc') return 'UTC';
  return zone;
}
