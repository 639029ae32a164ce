// A table frame of pairs → map nodes (collectors and targets, placed by location) and directed links.
import type { DataFrame } from '@grafana/data';
import { CityLocator, type Coordinates, type Placement } from '../../geo/city-locator';
import { readPairTable } from '../../shared/frame-fields';

export interface GeoNode {
  name: string;
  location: string;
  place?: Placement;
}

export interface GeoLink {
  from: string;
  to: string;
  value: number;
  lossPct: number;
  samples: number;
}

export interface GeoMesh {
  nodes: GeoNode[];
  links: GeoLink[];
  unit: string | undefined;
  /** Nodes that could not be placed (unknown location): listed under the map. */
  unplaced: GeoNode[];
}

let sharedLocator: CityLocator | undefined;

/** Builds nodes and links; overrides (by node name first, then by location) beat the city table. */
export function buildGeoMesh(
  series: DataFrame[],
  overrides: Map<string, Coordinates>,
  locator: CityLocator = (sharedLocator ??= new CityLocator()),
): GeoMesh | undefined {
  const table = readPairTable(series);
  if (!table) return undefined;
  const nodes = new Map<string, GeoNode>();
  const touch = (name: string, location: string) => {
    const node = nodes.get(name);
    if (!node) nodes.set(name, { name, location });
    else if (!node.location && location) node.location = location;
  };
  const links: GeoLink[] = [];
  for (const row of table.rows) {
    touch(row.src, row.srcLoc);
    touch(row.dst, row.dstLoc);
    if (row.src !== row.dst) {
      links.push({ from: row.src, to: row.dst, value: row.value, lossPct: row.lossPct, samples: row.samples });
    }
  }
  for (const node of nodes.values()) {
    const override = overrides.get(node.name) ?? overrides.get(node.location);
    node.place = override
      ? { ...override, matched: 'override', exact: true }
      : node.location
        ? locator.locate(node.location)
        : undefined;
  }
  const all = [...nodes.values()];
  return { nodes: all, links, unit: table.unit, unplaced: all.filter((n) => !n.place) };
}
