import { createDataFrame, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { hitTest, layoutGeo } from './geo-layout';
import { defaultPairFields } from '../../shared/frame-fields';
import { buildGeoMesh as build, type GeoMesh } from './geo-model';
import type { Coordinates } from '../../geo/city-locator';

function buildGeoMesh(series: Parameters<typeof build>[0], overrides: Map<string, Coordinates>): GeoMesh {
  const mesh = build(series, defaultPairFields, overrides);
  if ('needs' in mesh) throw new Error(`field problem: ${mesh.needs.join(', ')}`);
  return mesh;
}

function table(rows: Array<[string, string, string, string, number, number]>) {
  const col = (i: number) => rows.map((r) => r[i]);
  return createDataFrame({
    fields: [
      { name: 'src', type: FieldType.string, values: col(0) },
      { name: 'dst', type: FieldType.string, values: col(1) },
      { name: 'src_loc', type: FieldType.string, values: col(2) },
      { name: 'dst_loc', type: FieldType.string, values: col(3) },
      { name: 'value', type: FieldType.number, values: col(4) },
      { name: 'loss_pct', type: FieldType.number, values: col(5) },
    ],
  });
}

const frames = [
  table([
    ['a', 'b', 'Paris,FR', 'Tokyo,JP', 220, 0],
    ['b', 'a', 'Tokyo,JP', 'Paris,FR', 230, 0],
    ['a', 'x', 'Paris,FR', 'Nowhere,ZZ', 5, 0],
    ['a', 'a', 'Paris,FR', 'Paris,FR', 0.1, 0],
  ]),
];

describe('geo map model and layout', () => {
  it('places nodes by location, lists the ones it cannot place, and drops self-links', () => {
    const mesh = buildGeoMesh(frames, new Map());
    expect(mesh.nodes.map((n) => n.name)).toEqual(['a', 'b', 'x']);
    expect(mesh.unplaced.map((n) => n.name)).toEqual(['x']);
    expect(mesh.links.map((l) => `${l.from}>${l.to}`)).toEqual(['a>b', 'a>x', 'b>a']);
  });

  it('lets an override line place a node the city table does not know', () => {
    const mesh = buildGeoMesh(frames, new Map([['x', { lat: 0, lon: 0 }]]));
    expect(mesh.unplaced).toEqual([]);
  });

  it('draws A→B and B→A as two arcs bent to opposite sides', () => {
    const layout = layoutGeo(buildGeoMesh(frames, new Map()), 800, 400, 'world');
    const ab = layout.curves.find((c) => c.link.from === 'a' && c.link.to === 'b');
    const ba = layout.curves.find((c) => c.link.from === 'b' && c.link.to === 'a');
    const a = layout.nodes.find((n) => n.name === 'a')!;
    const b = layout.nodes.find((n) => n.name === 'b')!;
    expect(a.x).toBeLessThan(b.x); // Paris is west of Tokyo
    const side = (c: typeof ab) => Math.sign((b.x - a.x) * (c!.cy - a.y) - (b.y - a.y) * (c!.cx - a.x));
    expect(side(ab)).toBe(-side(ba));
  });

  it('hit-tests nodes first, then links', () => {
    const layout = layoutGeo(buildGeoMesh(frames, new Map()), 800, 400, 'world');
    const a = layout.nodes.find((n) => n.name === 'a')!;
    expect(hitTest(layout, a.x + 2, a.y)).toEqual({ node: a });
    const mid = layout.curves[0]!.samples[8]!;
    const hit = hitTest(layout, mid[0], mid[1] + 1);
    expect(hit && 'curve' in hit && hit.curve.link.from).toBe('a');
    expect(hitTest(layout, 1, 1)).toBeUndefined();
  });
});
