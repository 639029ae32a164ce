// Projects placed nodes onto the panel and bends each directed link to its own side, so A→B and
// B→A are two separate arcs; keeps sampled curve points for hit-testing a pointer.
import { geoNaturalEarth1, type GeoProjection } from 'd3-geo';
import type { GeoLink, GeoMesh, GeoNode } from './geo-model';

export interface PlacedNode extends GeoNode {
  x: number;
  y: number;
}

export interface LinkCurve {
  link: GeoLink;
  /** Start, control and end point of a quadratic curve. */
  x0: number;
  y0: number;
  cx: number;
  cy: number;
  x1: number;
  y1: number;
  samples: Array<[number, number]>;
}

export interface GeoLayout {
  projection: GeoProjection;
  nodes: PlacedNode[];
  curves: LinkCurve[];
}

const nodeRadiusPx = 5;

/** Fits the world (or just the collectors' region) into the panel and places nodes and arcs. */
export function layoutGeo(mesh: GeoMesh, width: number, height: number, fit: 'world' | 'collectors'): GeoLayout {
  const projection = geoNaturalEarth1();
  const placed = mesh.nodes.filter((n) => n.place);
  const pad = 12;
  if (fit === 'collectors' && placed.length > 1) {
    projection.fitExtent(
      [
        [pad * 3, pad * 3],
        [width - pad * 3, height - pad * 3],
      ],
      { type: 'MultiPoint', coordinates: placed.map((n) => [n.place!.lon, n.place!.lat]) },
    );
  } else {
    projection.fitExtent(
      [
        [pad, pad],
        [width - pad, height - pad],
      ],
      { type: 'Sphere' },
    );
  }
  // Nodes at the same place (collectors on one host's loopback) are spread on a small ring.
  const byPoint = new Map<string, GeoNode[]>();
  for (const node of placed) {
    const key = `${node.place!.lat},${node.place!.lon}`;
    byPoint.set(key, [...(byPoint.get(key) ?? []), node]);
  }
  const nodes: PlacedNode[] = [];
  for (const group of byPoint.values()) {
    const [x, y] = projection([group[0]!.place!.lon, group[0]!.place!.lat]) ?? [NaN, NaN];
    const ring = group.length > 1 ? Math.max(10, group.length * 3.5) : 0;
    group.forEach((node, i) => {
      const angle = (2 * Math.PI * i) / group.length - Math.PI / 2;
      nodes.push({ ...node, x: x + ring * Math.cos(angle), y: y + ring * Math.sin(angle) });
    });
  }
  const at = new Map(nodes.map((n) => [n.name, n]));
  const curves: LinkCurve[] = [];
  for (const link of mesh.links) {
    const a = at.get(link.from);
    const b = at.get(link.to);
    if (!a || !b) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy) || 1;
    // Bend to the right of the direction of travel: the reverse link bends the other way.
    const bend = Math.min(40, length * 0.18);
    const cx = (a.x + b.x) / 2 - (dy / length) * bend;
    const cy = (a.y + b.y) / 2 + (dx / length) * bend;
    // Stop short of the destination node so the arrowhead stays visible.
    const end = shorten(cx, cy, b.x, b.y, nodeRadiusPx + 2);
    const samples: Array<[number, number]> = [];
    for (let i = 0; i <= 16; i++) {
      const t = i / 16;
      samples.push([
        (1 - t) ** 2 * a.x + 2 * (1 - t) * t * cx + t ** 2 * end[0],
        (1 - t) ** 2 * a.y + 2 * (1 - t) * t * cy + t ** 2 * end[1],
      ]);
    }
    curves.push({ link, x0: a.x, y0: a.y, cx, cy, x1: end[0], y1: end[1], samples });
  }
  return { projection, nodes, curves };
}

function shorten(fromX: number, fromY: number, toX: number, toY: number, by: number): [number, number] {
  const d = Math.hypot(toX - fromX, toY - fromY) || 1;
  return [toX - ((toX - fromX) / d) * by, toY - ((toY - fromY) / d) * by];
}

/** The node within 8 px of (x, y), else the link within 5 px, else undefined. */
export function hitTest(
  layout: GeoLayout,
  x: number,
  y: number,
): { node: PlacedNode } | { curve: LinkCurve } | undefined {
  let best: PlacedNode | undefined;
  let bestD = 8;
  for (const node of layout.nodes) {
    const d = Math.hypot(node.x - x, node.y - y);
    if (d < bestD) [best, bestD] = [node, d];
  }
  if (best) return { node: best };
  let curve: LinkCurve | undefined;
  let curveD = 5;
  for (const c of layout.curves) {
    for (let i = 1; i < c.samples.length; i++) {
      const d = segmentDistance(x, y, c.samples[i - 1]!, c.samples[i]!);
      if (d < curveD) [curve, curveD] = [c, d];
    }
  }
  return curve ? { curve } : undefined;
}

function segmentDistance(x: number, y: number, [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

export { nodeRadiusPx };
