import { createDataFrame, FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { cellAt, layoutMatrix } from './matrix-layout';
import { defaultPairFields } from '../../shared/frame-fields';
import {
  asymmetry,
  buildMatrix as build,
  isFieldProblem,
  locationGroups,
  reverseIndex,
  type MatrixOrder,
} from './matrix-model';

/** The matrix of frames read with today's field names (a field problem fails the test). */
function buildMatrix(series: Parameters<typeof build>[0], order?: MatrixOrder) {
  const m = build(series, defaultPairFields, order);
  if (isFieldProblem(m)) throw new Error(`field problem: ${m.needs.join(', ')}`);
  return m;
}

/** Pairs as [src, dst, value, loss]; locations by name. */
function frame(pairs: Array<[string, string, number, number]>, locations: Record<string, string>) {
  return createDataFrame({
    fields: [
      { name: 'src', type: FieldType.string, values: pairs.map((p) => p[0]) },
      { name: 'dst', type: FieldType.string, values: pairs.map((p) => p[1]) },
      { name: 'src_loc', type: FieldType.string, values: pairs.map((p) => locations[p[0]] ?? '') },
      { name: 'value', type: FieldType.number, values: pairs.map((p) => p[2]), config: { unit: 'ms' } },
      { name: 'loss_pct', type: FieldType.number, values: pairs.map((p) => p[3]) },
      { name: 'samples', type: FieldType.number, values: pairs.map(() => 10) },
    ],
  });
}

const locations = { b: 'Oslo,NO', a: 'Paris,FR', c: 'Lyon,FR' };
const pairs: Array<[string, string, number, number]> = [
  ['a', 'b', 10, 0],
  ['b', 'a', 14, 0],
  ['a', 'c', 3, 50],
  ['c', 'a', 2, 0],
  ['b', 'c', 30, 100],
];

describe('buildMatrix', () => {
  it('puts sources in rows and destinations in columns, with NaN where a pair has no data', () => {
    const m = buildMatrix([frame(pairs, locations)], 'name')!;
    expect(m.rows.map((n) => n.name)).toEqual(['a', 'b', 'c']);
    expect(m.cols.map((n) => n.name)).toEqual(['a', 'b', 'c']);
    expect(m.values[0 * 3 + 1]).toBe(10);
    expect(m.values[1 * 3 + 0]).toBe(14);
    expect(m.values[2 * 3 + 1]).toBeNaN();
    expect(m.loss[1 * 3 + 2]).toBe(100);
    expect(m.valueField.config.unit).toBe('ms');
  });

  it('gives a destination the location of the collector with the same name', () => {
    const m = buildMatrix([frame(pairs, locations)], 'name')!;
    expect(m.cols.map((n) => n.location)).toEqual(['Paris,FR', 'Oslo,NO', 'Lyon,FR']);
  });

  it('orders by country then city, so a region clusters, and reports the location runs', () => {
    const m = buildMatrix([frame(pairs, locations)], 'location')!;
    expect(m.rows.map((n) => n.location)).toEqual(['Lyon,FR', 'Paris,FR', 'Oslo,NO']);
    expect(locationGroups(m.rows).map((g) => [g.location, g.start, g.end])).toEqual([
      ['Lyon,FR', 0, 1],
      ['Paris,FR', 1, 2],
      ['Oslo,NO', 2, 3],
    ]);
  });

  it('orders rows by their mean value when asked', () => {
    const m = buildMatrix([frame(pairs, locations)], 'value')!;
    expect(m.rows.map((n) => n.name)).toEqual(['c', 'a', 'b']); // means 2, 6.5, 22
  });

  it('finds the reverse pair and colours asymmetry as A→B minus B→A', () => {
    const m = buildMatrix([frame(pairs, locations)], 'name')!;
    const back = reverseIndex(m, 0, 1); // a→b ↔ b→a
    expect(m.values[back]).toBe(14);
    const diff = asymmetry(m);
    expect(diff[0 * 3 + 1]).toBe(-4);
    expect(diff[1 * 3 + 0]).toBe(4);
    expect(diff[1 * 3 + 2]).toBeNaN(); // c→b was never measured
  });

  it('names the fields it needs and the ones it found for frames without src, dst and value', () => {
    expect(
      build([createDataFrame({ fields: [{ name: 'x', type: FieldType.number, values: [1] }] })], defaultPairFields),
    ).toEqual({ needs: ['src', 'dst', 'value'], found: ['x'] });
  });

  it('reduces a pair read from several rows with the chosen reducer and sums its samples', () => {
    const rows = frame(
      [
        ['a', 'b', 10, 0],
        ['a', 'b', 20, 50],
        ['a', 'b', 60, 10],
        ['b', 'a', 7, 0],
      ],
      locations,
    );
    const mean = build([rows], defaultPairFields, 'name');
    const max = build([rows], { ...defaultPairFields, reducer: 'max' }, 'name');
    if (isFieldProblem(mean) || isFieldProblem(max)) throw new Error('field problem');
    expect(mean.values[1]).toBe(30); // a → b: (10 + 20 + 60) / 3
    expect(mean.loss[1]).toBe(20); // (0 + 50 + 10) / 3
    expect(mean.samples[1]).toBe(30); // 3 rows × 10 samples
    expect(mean.values[2]).toBe(7); // b → a, one row: as read
    expect(max.values[1]).toBe(60);
    expect(mean.cellRow[1]).toBe(2); // links point at the last row of the pair
  });
});

describe('layoutMatrix', () => {
  it('shows names when cells are tall enough, hides them when 200 collectors share the panel', () => {
    const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, location: '' }));
    expect(layoutMatrix({ rows: nodes(5), cols: nodes(5) }, 600, 400, false).showLabels).toBe(true);
    const big = layoutMatrix({ rows: nodes(200), cols: nodes(200) }, 600, 400, true);
    expect(big.showLabels).toBe(false);
    expect(big.cell).toBeCloseTo((400 - 16) / 200);
  });

  it('maps a pointer position to its cell and nothing outside the grid', () => {
    const layout = { gridX: 100, gridY: 50, cell: 10, rows: 3, cols: 4, showLabels: true, labelWidth: 90, bandSize: 0 };
    expect(cellAt(layout, 105, 55)).toEqual({ row: 0, col: 0 });
    expect(cellAt(layout, 139.9, 79.9)).toEqual({ row: 2, col: 3 });
    expect(cellAt(layout, 140, 60)).toBeUndefined();
    expect(cellAt(layout, 99, 60)).toBeUndefined();
  });
});
