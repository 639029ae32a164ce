/** Microseconds since the epoch → "2026-11-22T15:00:00.123456Z", as the CLI contract writes times. */
export function isoMicroseconds(epochUs: number): string {
  const ms = Math.floor(epochUs / 1000);
  const micros = Math.floor(epochUs - ms * 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}
