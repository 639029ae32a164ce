// A table frame of pairs → map nodes (collectors and targets, placed by location) and directed links.
import type { DataFrame } from '@grafana/data';
import { CityLocator, type Coordinates, type Placement } from '../../geo/city-locator';
import { field, findTableFrame, numberAt, stringAt } from '../../shared/frame-fields';

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
  const frame = findTableFrame(series, ['src', 'dst', 'value']);
  if (!frame) return undefined;
  const [src, dst, value, loss, samples, srcLoc, dstLoc] = [
    'src',
    'dst',
    'value',
    'loss_pct',
    'samples',
    'src_loc',
    'dst_loc',
  ].map((n) => field(frame, n));
  const nodes = new Map<string, GeoNode>();
  const touch = (name: string, location: string) => {
    const node = nodes.get(name);
    if (!node) nodes.set(name, { name, location });
    else if (!node.location && location) node.location = location;
  };
  const links: GeoLink[] = [];
  for (let r = 0; r < frame.length; r++) {
    const from = stringAt(src, r);
    const to = stringAt(dst, r);
    touch(from, stringAt(srcLoc, r));
    touch(to, stringAt(dstLoc, r));
    if (from !== to) {
      links.push({ from, to, value: numberAt(value, r), lossPct: numberAt(loss, r), samples: numberAt(samples, r) });
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
  return { nodes: all, links, unit: value?.config.unit, unplaced: all.filter((n) => !n.place) };
}
