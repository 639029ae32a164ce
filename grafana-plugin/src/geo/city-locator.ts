// "City,CC" → coordinates from the bundled GeoNames table (data/cities.json), or explicit
// coordinates: a location written as "lat,lon", or an override line "name-or-location = lat,lon".
import cityRows from '../../data/cities.json';

export interface Coordinates {
  lat: number;
  lon: number;
}

/** Where a name was placed and how sure we are ("Virginia,US" ≈ Virginia Beach is approximate). */
export interface Placement extends Coordinates {
  matched: string;
  exact: boolean;
}

type CityRow = [name: string, country: string, lat: number, lon: number];

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

/** Lookup over the city table, largest city first for ambiguous names. */
export class CityLocator {
  private readonly exact = new Map<string, CityRow>();
  private readonly byCountry = new Map<string, CityRow[]>();

  constructor(rows: CityRow[] = cityRows as CityRow[]) {
    for (const row of rows) {
      const key = `${fold(row[0])},${row[1].toLowerCase()}`;
      if (!this.exact.has(key)) this.exact.set(key, row);
      const list = this.byCountry.get(row[1].toLowerCase()) ?? [];
      list.push(row);
      this.byCountry.set(row[1].toLowerCase(), list);
    }
  }

  /**
   * Places "City,CC" (or "City" alone, or "lat,lon"): exact name in the country, else the largest
   * city of that country whose name starts with the given words, else the largest city of that name
   * anywhere; undefined when nothing fits.
   */
  locate(location: string): Placement | undefined {
    const numeric = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(location);
    if (numeric) {
      const lat = Number(numeric[1]);
      const lon = Number(numeric[2]);
      if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) return { lat, lon, matched: location, exact: true };
    }
    const comma = location.lastIndexOf(',');
    const city = fold(comma < 0 ? location : location.slice(0, comma));
    const country = comma < 0 ? '' : fold(location.slice(comma + 1));
    if (!city) return undefined;
    const place = (row: CityRow, exact: boolean): Placement => ({
      lat: row[2],
      lon: row[3],
      matched: `${row[0]},${row[1]}`,
      exact,
    });
    if (country) {
      const hit = this.exact.get(`${city},${country}`);
      if (hit) return place(hit, true);
      const prefix = this.byCountry.get(country)?.find((row) => fold(row[0]).startsWith(city));
      if (prefix) return place(prefix, false);
    }
    const anywhere = [...this.exact.values()].find((row) => fold(row[0]) === city);
    return anywhere ? place(anywhere, !country) : undefined;
  }
}

/** Parses override lines "name-or-location = lat,lon" (one per line, # comments). */
export function parseOverrides(text: string | undefined): Map<string, Coordinates> {
  const overrides = new Map<string, Coordinates>();
  for (const line of (text ?? '').split('\n')) {
    const match = /^\s*([^#=]+?)\s*=\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(line);
    if (match) overrides.set(match[1]!, { lat: Number(match[2]), lon: Number(match[3]) });
  }
  return overrides;
}
