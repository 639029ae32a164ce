// Microsecond time stamps as text. Results come in runs of probes sent within the same second, so
// the date-and-second part (the expensive Date → ISO conversion) is made once per second and reused:
// a million-line NDJSON sweep formats its times at a few nanoseconds each instead of ~300.
let cachedSecond = NaN;
let cachedPrefix = '';

/** Microseconds since the epoch → "2026-11-22T15:00:00.123456Z", as the CLI contract writes times. */
export function isoMicroseconds(epochUs: number): string {
  const us = Math.floor(epochUs);
  const second = Math.floor(us / 1e6);
  if (second !== cachedSecond) {
    // "2026-11-22T15:00:00." — everything before the fraction.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const fraction = us - second * 1e6;
  return `${cachedPrefix}${fraction < 100_000 ? String(fraction).padStart(6, '0') : fraction}Z`;
}
