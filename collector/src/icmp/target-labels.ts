// The labels a target may carry — name, group, location and free key=value pairs — with the rules
// both the targets file and the /v1/targets API apply, so a label means the same from either.
import { locateCity } from './city-table.js';

/** Where a target is: as written ("Frankfurt,DE" or "50.11,8.68") and its coordinates if known. */
export interface TargetLocation {
  loc: string;
  lat: number | null;
  lon: number | null;
}

/** Free-form labels beyond name, group and loc. */
export type ExtraLabels = Readonly<Record<string, string>>;

/** A target's labels as given (absent ones empty). */
export interface TargetLabels {
  name: string;
  group: string;
  location: TargetLocation | null;
  extra: ExtraLabels | null;
}

/** One target as GET /v1/targets shows it and POST /v1/targets takes it. */
export interface TargetRecord {
  target: string;
  name: string;
  group: string;
  loc: string;
  lat: number | null;
  lon: number | null;
  labels: ExtraLabels;
}

/** A label that cannot be used; the message says what to write instead. */
export class LabelError extends Error {
  override name = 'LabelError';
}

export const noLabels: TargetLabels = Object.freeze({ name: '', group: '', location: null, extra: null });

export const maxNameLength = 256;
export const maxGroupLength = 128;
export const maxLabelValueLength = 256;
export const maxExtraLabels = 32;
const labelKeyPattern = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
// Columns of their own (lat/lon come from loc), so not free labels.
const reservedKeys = new Set(['target', 'lat', 'lon', 'labels']);

/** Checks a free label's key; throws LabelError naming the rule. */
export function checkLabelKey(key: string): void {
  if (reservedKeys.has(key)) {
    throw new LabelError(
      key === 'lat' || key === 'lon'
        ? `"${key}" is not a label of its own: give coordinates as loc=LAT,LON (e.g. loc=50.11,8.68)`
        : `"${key}" is reserved: choose another label name`,
    );
  }
  if (!labelKeyPattern.test(key)) {
    throw new LabelError(
      `"${key}" is not a label name: start with a letter, then letters, digits, "_", "." or "-" (at most 63)`,
    );
  }
}

/** Checks a value's length and characters (no control characters: they break logs and ILP). */
export function checkLabelValue(key: string, value: string, maxLength = maxLabelValueLength): void {
  if (value.length > maxLength) throw new LabelError(`${key} is ${value.length} characters long; at most ${maxLength}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new LabelError(`${key} contains a control character (tab, newline…)`);
}

const coordinatePattern = /^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$/;

/**
 * Reads a loc= value: "LAT,LON" (decimal degrees) or "City,CC" (ISO country code), the latter
 * placed through the city table when it knows the city. Returns the location and, when a city
 * could not be placed, a warning that says why (the label is kept either way).
 */
export function parseLocation(text: string): { location: TargetLocation; warning?: string } {
  checkLabelValue('loc', text, maxGroupLength);
  const coordinates = coordinatePattern.exec(text);
  if (coordinates) {
    const lat = Number(coordinates[1]);
    const lon = Number(coordinates[2]);
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      throw new LabelError(
        `loc=${text}: latitude must be within ±90 and longitude within ±180 (decimal degrees, e.g. loc=50.11,8.68)`,
      );
    }
    return { location: { loc: text.trim(), lat, lon } };
  }
  const comma = text.lastIndexOf(',');
  const city = comma < 0 ? '' : text.slice(0, comma).trim();
  const country = comma < 0 ? '' : text.slice(comma + 1).trim();
  if (!city || !/^[A-Za-z]{2}$/.test(country)) {
    throw new LabelError(
      `loc=${text} is neither City,CC (a city and its two-letter country code, e.g. loc=Frankfurt,DE; quote names with spaces: loc="New York City,US") nor LAT,LON (e.g. loc=50.11,8.68)`,
    );
  }
  const loc = `${city},${country.toUpperCase()}`;
  const placed = locateCity(city, country);
  if ('lat' in placed) return { location: { loc, lat: placed.lat, lon: placed.lon } };
  return { location: { loc, lat: null, lon: null }, warning: placed.why };
}

/** The API/JSON shape of a target from its key and labels. */
export function toRecord(target: string, labels: TargetLabels): TargetRecord {
  return {
    target,
    name: labels.name,
    group: labels.group,
    loc: labels.location?.loc ?? '',
    lat: labels.location?.lat ?? null,
    lon: labels.location?.lon ?? null,
    labels: labels.extra ?? {},
  };
}

/** Whether two label sets say the same thing (extra labels compared regardless of order). */
export function sameLabels(a: TargetLabels, b: TargetLabels): boolean {
  if (a.name !== b.name || a.group !== b.group) return false;
  if ((a.location?.loc ?? '') !== (b.location?.loc ?? '')) return false;
  if (
    (a.location?.lat ?? null) !== (b.location?.lat ?? null) ||
    (a.location?.lon ?? null) !== (b.location?.lon ?? null)
  )
    return false;
  const ak = a.extra ? Object.keys(a.extra) : [];
  const bk = b.extra ? Object.keys(b.extra) : [];
  if (ak.length !== bk.length) return false;
  return ak.every((key) => b.extra![key] === a.extra![key]);
}
