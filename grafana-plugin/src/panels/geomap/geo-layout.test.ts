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

  it('projects and hit-tests at hand-computed positions', () => {
    // Natural Earth 1 at latitude 0: x = 0.8707 λ; the sphere (x ±2.7354, y ±1.4224) fitted into
    // 800 × 400 less 12 px padding: scale min(776 / 5.4708, 376 / 2.8448) = 132.17, centre (400, 200).
    // a at lon −90 → (219.2, 200), b at lon 90 → (580.8, 200); a → b bends 40 px below the line
    // (to the right of travel), its middle at (398.3, 220.4).
    const equator = buildGeoMesh(
      frames,
      new Map([
        ['a', { lat: 0, lon: -90 }],
        ['b', { lat: 0, lon: 90 }],
        ['x', { lat: 60, lon: 0 }],
      ]),
    );
    const layout = layoutGeo(equator, 800, 400, 'world');
    const a = layout.nodes.find((n) => n.name === 'a')!;
    expect(a.x).toBeCloseTo(219.2, 0);
    expect(a.y).toBeCloseTo(200, 0);
    expect(hitTest(layout, 221, 201)).toEqual({ node: a });
    const hit = hitTest(layout, 398.3, 220.4);
    expect(hit && 'curve' in hit && `${hit.curve.link.from}>${hit.curve.link.to}`).toBe('a>b');
    const back = hitTest(layout, 401.7, 179.6);
    expect(back && 'curve' in back && `${back.curve.link.from}>${back.curve.link.to}`).toBe('b>a');
    expect(hitTest(layout, 1, 1)).toBeUndefined();
  });
});
