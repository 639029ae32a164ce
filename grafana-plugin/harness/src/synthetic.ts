// A synthetic mesh of n collectors in a handful of locations (benchmarks and component tests):
// every pair measured, RTT growing with "distance" plus a direction bias, some loss.
import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';

const locations = [
  'Paris,FR',
  'Frankfurt,DE',
  'Oslo,NO',
  'Tokyo,JP',
  'Sydney,AU',
  'Singapore,SG',
  'Chicago,US',
  'São Paulo,BR',
];

/** n × n pairs as the datasource's table frame (src, dst, src_loc, dst_loc, value, loss_pct, samples). */
export function syntheticMatrixFrame(n: number): DataFrame {
  const src: string[] = [];
  const dst: string[] = [];
  const srcLoc: string[] = [];
  const dstLoc: string[] = [];
  const value: number[] = [];
  const loss: number[] = [];
  const samples: number[] = [];
  const name = (i: number) => `collector-${String(i).padStart(3, '0')}`;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const la = a % locations.length;
      const lb = b % locations.length;
      src.push(name(a));
      dst.push(name(b));
      srcLoc.push(locations[la]!);
      dstLoc.push(locations[lb]!);
      value.push(1 + Math.abs(la - lb) * 35 + (a > b ? 4 : 0) + ((a * 7 + b * 13) % 10) / 10);
      loss.push((a * 31 + b * 17) % 97 === 0 ? 100 : (a + b) % 23 === 0 ? 5 : 0);
      samples.push(600);
    }
  }
  return createDataFrame({
    refId: 'A',
    fields: [
      { name: 'src', type: FieldType.string, values: src },
      { name: 'dst', type: FieldType.string, values: dst },
      { name: 'src_loc', type: FieldType.string, values: srcLoc },
      { name: 'dst_loc', type: FieldType.string, values: dstLoc },
      { name: 'value', type: FieldType.number, values: value, config: { unit: 'ms' } },
      { name: 'loss_pct', type: FieldType.number, values: loss, config: { unit: 'percent' } },
      { name: 'samples', type: FieldType.number, values: samples },
    ],
  });
}
