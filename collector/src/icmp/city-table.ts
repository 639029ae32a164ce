// loc=City,CC → coordinates, from the same GeoNames table the Grafana plugin places cities with
// (grafana-plugin/data/cities.json: [name, country, lat, lon], larger cities first). The collector
// only accepts an exact (case- and accent-insensitive) match: a targets file is configuration, and
// a guessed place on a map is worse than a warning that says which spelling the table knows.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type CityRow = [name: string, country: string, lat: number, lon: number];

/** Where the table is: in the repository (and the Docker image), beside the plugin that shares it. */
export const cityTablePath = fileURLToPath(new URL('../../../grafana-plugin/data/cities.json', import.meta.url));

interface CityIndex {
  byKey: Map<string, CityRow>;
  byCountry: Map<string, CityRow[]>;
}

/** The index once loaded, or why it could not be. */
let loaded: CityIndex | string | undefined;

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

function load(): CityIndex | string {
  if (!existsSync(cityTablePath)) return `the city table ${cityTablePath} is missing`;
  try {
    const rows = JSON.parse(readFileSync(cityTablePath, 'utf8')) as CityRow[];
    const byKey = new Map<string, CityRow>();
    const byCountry = new Map<string, CityRow[]>();
    for (const row of rows) {
      const key = `${fold(row[0])},${row[1].toLowerCase()}`;
      if (!byKey.has(key)) byKey.set(key, row);
      const country = row[1].toLowerCase();
      const list = byCountry.get(country) ?? [];
      list.push(row);
      byCountry.set(country, list);
    }
    return { byKey, byCountry };
  } catch (error) {
    return `the city table ${cityTablePath} cannot be read (${(error as Error).message})`;
  }
}

/**
 * Coordinates of a city, or why there are none (with the spelling the table knows when one city of
 * that country starts with the given name).
 */
export function locateCity(city: string, country: string): { lat: number; lon: number } | { why: string } {
  const table = (loaded ??= load());
  const fix = `write loc=LAT,LON to place it`;
  if (typeof table === 'string') return { why: `${table}, so loc=${city},${country} has no coordinates; ${fix}` };
  const wanted = fold(city);
  const hit = table.byKey.get(`${wanted},${country.toLowerCase()}`);
  if (hit) return { lat: hit[2], lon: hit[3] };
  const similar = table.byCountry.get(country.toLowerCase())?.find((row) => fold(row[0]).startsWith(wanted));
  const known = table.byCountry.has(country.toLowerCase());
  return {
    why:
      `loc=${city},${country.toUpperCase()} is not in the city table (cities of 100,000 people or more, and capitals)` +
      (similar
        ? `; did you mean loc="${similar[0]},${similar[1]}"? Or ${fix}`
        : known
          ? `; ${fix}`
          : `, which has no city in country "${country.toUpperCase()}" (ISO 3166 codes: DE, US, JP…); ${fix}`),
  };
}
