// The world's country shapes, shipped in the bundle (Natural Earth 1:110m via the world-atlas
// package, ~100 KB of TopoJSON), so the map needs no tile server and works offline.
import type { FeatureCollection, MultiLineString } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json';

type WorldTopology = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

let cached: { countries: FeatureCollection; borders: MultiLineString } | undefined;

/** Country polygons and the borders between them (computed once). */
export function worldGeometry(): { countries: FeatureCollection; borders: MultiLineString } {
  if (!cached) {
    const topology = countries110m as unknown as WorldTopology;
    cached = {
      countries: feature(topology, topology.objects.countries) as FeatureCollection,
      borders: mesh(topology, topology.objects.countries, (a, b) => a !== b),
    };
  }
  return cached;
}
