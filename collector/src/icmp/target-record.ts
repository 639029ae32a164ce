// A target as JSON — {"target","name","group","loc","lat","lon","labels"} — read with the same
// rules as a targets-file line. POST /v1/targets, the API state file and --targets-from all take it.
import { InvalidTargetError, parseTargetSpec, type TargetSpec } from './target-spec.js';
import {
  checkLabelKey,
  checkLabelValue,
  LabelError,
  maxExtraLabels,
  maxGroupLength,
  maxNameLength,
  parseLocation,
  type TargetLabels,
  type TargetLocation,
} from './target-labels.js';
import { quickIpv4 } from './dotted-quad.js';

const fields = new Set(['target', 'name', 'group', 'loc', 'lat', 'lon', 'labels']);

/** A record read, or why it cannot be. */
export type ReadRecord =
  { ok: true; spec: TargetSpec; labels: TargetLabels; warning?: string } | { ok: false; message: string };

/** Checks one JSON value as a target record. */
export function readTargetRecord(value: unknown): ReadRecord {
  try {
    return read(value);
  } catch (error) {
    if (error instanceof LabelError || error instanceof InvalidTargetError)
      return { ok: false, message: error.message };
    throw error;
  }
}

function read(value: unknown): ReadRecord {
  if (typeof value === 'string') value = { target: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LabelError(
      'a target is an object like {"target":"198.18.0.1","name":"edge-1","group":"edge"} or a string',
    );
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!fields.has(key))
      throw new LabelError(`unknown field "${key}" (a target has target, name, group, loc, lat, lon, labels)`);
  }
  const target = record.target;
  if (typeof target !== 'string' || target === '')
    throw new LabelError('"target" (an address, hostname or CIDR range) is required');
  const ipv4 = quickIpv4(target);
  const spec: TargetSpec = ipv4 >= 0 ? { kind: 'ipv4', address: ipv4 } : parseTargetSpec(target);
  const name = text(record, 'name', maxNameLength);
  const group = text(record, 'group', maxGroupLength);
  const { location, warning } = readLocation(record);
  const labels: TargetLabels = { name, group, location, extra: readExtra(record.labels) };
  return warning ? { ok: true, spec, labels, warning } : { ok: true, spec, labels };
}

function text(record: Record<string, unknown>, key: string, maxLength: number): string {
  const value = record[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new LabelError(`"${key}" must be a string`);
  checkLabelValue(key, value, maxLength);
  return value;
}

function readLocation(record: Record<string, unknown>): { location: TargetLocation | null; warning?: string } {
  const loc = text(record, 'loc', maxGroupLength);
  const lat = record.lat ?? null;
  const lon = record.lon ?? null;
  if (lat === null && lon === null) return loc === '' ? { location: null } : parseLocation(loc);
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    throw new LabelError('"lat" and "lon" go together, as numbers (decimal degrees), or leave both out');
  }
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new LabelError('"lat" must be within ±90 and "lon" within ±180');
  // Coordinates given explicitly win over the city table (a follower re-reads what a leader placed).
  return { location: { loc: loc === '' ? `${lat},${lon}` : loc, lat, lon } };
}

function readExtra(value: unknown): TargetLabels['extra'] {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new LabelError('"labels" must be an object of strings, like {"rack":"B7"}');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return null;
  if (entries.length > maxExtraLabels)
    throw new LabelError(`more than ${maxExtraLabels} labels: keep the ones you query by`);
  for (const [key, label] of entries) {
    checkLabelKey(key);
    if (key === 'name' || key === 'group' || key === 'loc')
      throw new LabelError(`"${key}" is a field of its own, not a label`);
    if (typeof label !== 'string') throw new LabelError(`label "${key}" must be a string`);
    checkLabelValue(key, label);
  }
  return Object.freeze(Object.fromEntries(entries)) as Record<string, string>;
}
