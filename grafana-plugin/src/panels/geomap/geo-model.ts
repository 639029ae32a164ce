// The panel's pairs (any datasource, through the field mapping) → map nodes (collectors and
// targets, placed by location) and directed links. Built on the matrix model, so a pair read
// from several rows is reduced the same way in both panels.
import type { DataFrame, Field } from '@grafana/data';
import { CityLocator, type Coordinates, type Placement } from '../../geo/city-locator';
import type { FieldProblem, PairFieldMapping } from '../../shared/frame-fields';
import { buildMatrix, isFieldProblem } from '../matrix/matrix-model';

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
  /** Frame and row the link was read from: its data links. */
  frameIndex: number;
  rowIndex: number;
}

export interface GeoMesh {
  nodes: GeoNode[];
  links: GeoLink[];
  valueField: Field;
  lossField: Field | undefined;
  valueFields: Array<Field | undefined>;
  /** Nodes that could not be placed (unknown location): listed under the map. */
  unplaced: GeoNode[];
}

let sharedLocator: CityLocator | undefined;

/** Builds nodes and links; overrides (by node name first, then by location) beat the city table. */
export function buildGeoMesh(
  series: DataFrame[],
  mapping: PairFieldMapping,
  overrides: Map<string, Coordinates>,
  locator: CityLocator = (sharedLocator ??= new CityLocator()),
): GeoMesh | FieldProblem {
  const matrix = buildMatrix(series, mapping, 'name');
  if (isFieldProblem(matrix)) return matrix;
  const nodes = new Map<string, GeoNode>();
  for (const n of [...matrix.rows, ...matrix.cols]) {
    const node = nodes.get(n.name);
    if (!node) nodes.set(n.name, { name: n.name, location: n.location });
    else if (!node.location && n.location) node.location = n.location;
  }
  const links: GeoLink[] = [];
  matrix.rows.forEach((from, r) => {
    matrix.cols.forEach((to, c) => {
      const k = r * matrix.cols.length + c;
      if (matrix.cellFrame[k]! < 0 || from.name === to.name) return;
      links.push({
        from: from.name,
        to: to.name,
        value: matrix.values[k]!,
        lossPct: matrix.loss[k]!,
        samples: matrix.samples[k]!,
        frameIndex: matrix.cellFrame[k]!,
        rowIndex: matrix.cellRow[k]!,
      });
    });
  });
  for (const node of nodes.values()) {
    const override = overrides.get(node.name) ?? overrides.get(node.location);
    node.place = override
      ? { ...override, matched: 'override', exact: true }
      : node.location
        ? locator.locate(node.location)
        : undefined;
  }
  const all = [...nodes.values()];
  return {
    nodes: all,
    links,
    valueField: matrix.valueField,
    lossField: matrix.lossField,
    valueFields: matrix.valueFields,
    unplaced: all.filter((n) => !n.place),
  };
}
