// One small mesh as each datasource really returns it, for the component tests (jsdom), the
// Chromium tests and the catalog screenshots: PingSphere's own datasource (its real frame code on
// a QuestDB-shaped reply), Grafana's PostgreSQL datasource (a table typed from the SQL result, its
// own column names), and Prometheus (goldpinger's goldpinger_peers_response_time_s, in seconds:
// one time series per label set, read directly, or after Grafana's own reduce and
// labels-to-fields transformations).
import { lastValueFrom } from 'rxjs';
import {
  createDataFrame,
  DataFrameType,
  FieldColorModeId,
  FieldMatcherID,
  FieldType,
  ReducerID,
  standardTransformers,
  ThresholdsMode,
  transformDataFrame,
  type DataFrame,
  type FieldConfigSource,
} from '@grafana/data';
import { toTableFrame } from '../../src/datasource/frames';
import type { PairFieldMapping } from '../../src/shared/frame-fields';

/** Three sites, six directed pairs: RTTs of 10, 30 and 50 ms (min, middle, max of the colour domain). */
export const smallMesh = [
  { src: 'fra', dst: 'nyc', srcLoc: 'Frankfurt,DE', dstLoc: 'New York,US', ms: 10, loss: 0, samples: 120 },
  { src: 'nyc', dst: 'fra', srcLoc: 'New York,US', dstLoc: 'Frankfurt,DE', ms: 30, loss: 2.5, samples: 118 },
  { src: 'fra', dst: 'sgp', srcLoc: 'Frankfurt,DE', dstLoc: 'Singapore,SG', ms: 50, loss: 0, samples: 120 },
  { src: 'sgp', dst: 'fra', srcLoc: 'Singapore,SG', dstLoc: 'Frankfurt,DE', ms: 30, loss: 0, samples: 119 },
  { src: 'nyc', dst: 'sgp', srcLoc: 'New York,US', dstLoc: 'Singapore,SG', ms: 50, loss: 100, samples: 60 },
  { src: 'sgp', dst: 'nyc', srcLoc: 'Singapore,SG', dstLoc: 'New York,US', ms: 10, loss: 0, samples: 117 },
] as const;

/** PingSphere's datasource, format table, grouped by src, dst, src_loc, dst_loc (its real frame code). */
export function pingsphereTableFrame(): DataFrame {
  return toTableFrame(
    {
      columns: [
        { name: 'src', type: 'SYMBOL' },
        { name: 'dst', type: 'SYMBOL' },
        { name: 'src_loc', type: 'SYMBOL' },
        { name: 'dst_loc', type: 'SYMBOL' },
        { name: 'value', type: 'DOUBLE' },
        { name: 'loss_pct', type: 'DOUBLE' },
        { name: 'samples', type: 'LONG' },
      ],
      dataset: smallMesh.map((p) => [p.src, p.dst, p.srcLoc, p.dstLoc, p.ms, p.loss, p.samples]),
      count: smallMesh.length,
    },
    { refId: 'A', family: 'icmp', stat: 'p50', format: 'table', groupBy: ['src', 'dst', 'src_loc', 'dst_loc'] },
    'SELECT …',
  );
}

/**
 * Grafana's PostgreSQL datasource (QuestDB's PG wire), format table: one frame named by the
 * refId, fields typed from the result columns, no units; the SQL's own names.
 */
export function postgresTableFrame(): DataFrame {
  return createDataFrame({
    refId: 'A',
    name: 'A',
    meta: { typeVersion: [0, 0], executedQueryString: 'SELECT src AS "from", dst_host AS "to", … FROM http …' },
    fields: [
      { name: 'from', type: FieldType.string, values: smallMesh.map((p) => p.src) },
      { name: 'to', type: FieldType.string, values: smallMesh.map((p) => p.dst) },
      { name: 'from_city', type: FieldType.string, values: smallMesh.map((p) => p.srcLoc) },
      { name: 'to_city', type: FieldType.string, values: smallMesh.map((p) => p.dstLoc) },
      { name: 'connect_p50_ms', type: FieldType.number, values: smallMesh.map((p) => p.ms) },
      { name: 'failed_pct', type: FieldType.number, values: smallMesh.map((p) => p.loss) },
    ],
  });
}

/** Goldpinger's addresses for the sites: `instance` is the pinger, `host_ip` the peer's node. */
export const goldpingerIp: Record<string, string> = { fra: '10.0.0.1', nyc: '10.0.0.2', sgp: '10.0.0.3' };

/**
 * Prometheus, `histogram_quantile(0.5, sum by (instance, host_ip, le)
 * (rate(goldpinger_peers_response_time_s_bucket[5m])))` over three steps: one frame per label set
 * (Time, Value with the labels), seconds, as Grafana's Prometheus datasource returns a range query.
 * The middle step is the mesh's RTT and the others ±20 %, so the mean is the mesh's value.
 */
export function prometheusSeriesFrames(): DataFrame[] {
  const t0 = Date.parse('2026-11-23T12:00:00Z');
  return smallMesh.map((p) =>
    createDataFrame({
      refId: 'A',
      meta: { type: DataFrameType.TimeSeriesMulti, typeVersion: [0, 1] },
      fields: [
        { name: 'Time', type: FieldType.time, values: [t0, t0 + 60_000, t0 + 120_000], config: { interval: 60_000 } },
        {
          name: 'Value',
          type: FieldType.number,
          labels: { instance: goldpingerIp[p.src]!, host_ip: goldpingerIp[p.dst]! },
          config: { displayNameFromDS: `${goldpingerIp[p.src]} → ${goldpingerIp[p.dst]}` },
          values: [p.ms * 0.0008, p.ms * 0.001, p.ms * 0.0012],
        },
      ],
    }),
  );
}

/** The same series after Grafana's Reduce transformation (series to rows, labels to fields, mean). */
export async function prometheusReducedFrames(): Promise<DataFrame[]> {
  return lastValueFrom(
    transformDataFrame(
      [
        {
          id: standardTransformers.reduceTransformer.id,
          options: { reducers: [ReducerID.mean], mode: 'seriesToRows', labelsToFields: true },
        },
      ],
      prometheusSeriesFrames(),
    ),
  );
}

/** The same series after Grafana's Labels to fields transformation (a label column per frame, rows over time). */
export async function prometheusLabelsToFieldsFrames(): Promise<DataFrame[]> {
  return lastValueFrom(
    transformDataFrame(
      [{ id: standardTransformers.labelsToFieldsTransformer.id, options: {} }],
      prometheusSeriesFrames(),
    ),
  );
}

/** How a panel is set up for one datasource's frames: its field mapping, units, thresholds and link. */
export interface DatasourceShape {
  id: 'pingsphere' | 'postgres' | 'prometheus' | 'prometheus-reduce' | 'prometheus-labels';
  title: string;
  frames(): Promise<DataFrame[]>;
  fields: Partial<PairFieldMapping>;
  /** Field config (units, decimals, thresholds colouring, a data link) as a dashboard saves it. */
  fieldConfig: FieldConfigSource;
  /** The name each site has in these frames (rows and columns of the matrix). */
  names: Record<'fra' | 'nyc' | 'sgp', string>;
  /** The link a click on fra → nyc must open. */
  fraToNycLink: string;
}

/** Standard options: unit and decimals, colours from thresholds at 25 and 45 ms (or s), one data link. */
function fieldConfig(unit: 'ms' | 's', link: string, lossField?: string): FieldConfigSource {
  const scale = unit === 'ms' ? 1 : 0.001;
  return {
    defaults: {
      unit,
      decimals: 1,
      color: { mode: FieldColorModeId.Thresholds },
      thresholds: {
        mode: ThresholdsMode.Absolute,
        steps: [
          { value: -Infinity, color: 'green' },
          { value: 25 * scale, color: 'orange' },
          { value: 45 * scale, color: 'red' },
        ],
      },
      links: [{ title: 'Pair detail', url: link }],
    },
    // The defaults' unit would make the loss column "ms": an override per field, as a user sets it.
    overrides: lossField
      ? [{ matcher: { id: FieldMatcherID.byName, options: lossField }, properties: [{ id: 'unit', value: 'percent' }] }]
      : [],
  };
}

const siteNames = { fra: 'fra', nyc: 'nyc', sgp: 'sgp' };
const ipNames = { fra: goldpingerIp.fra!, nyc: goldpingerIp.nyc!, sgp: goldpingerIp.sgp! };

export const datasourceShapes: DatasourceShape[] = [
  {
    id: 'pingsphere',
    title: 'PingSphere datasource (table)',
    frames: async () => [pingsphereTableFrame()],
    fields: {},
    fieldConfig: fieldConfig(
      'ms',
      '#/d/pingsphere-pair/pingsphere-pair?var-src=${__data.fields.src}&var-dst=${__data.fields.dst}',
    ),
    names: siteNames,
    fraToNycLink: '#/d/pingsphere-pair/pingsphere-pair?var-src=fra&var-dst=nyc',
  },
  {
    id: 'postgres',
    title: 'PostgreSQL datasource (table)',
    frames: async () => [postgresTableFrame()],
    fields: {
      source: 'from',
      target: 'to',
      value: 'connect_p50_ms',
      loss: 'failed_pct',
      sourceLocation: 'from_city',
      targetLocation: 'to_city',
    },
    fieldConfig: fieldConfig(
      'ms',
      '#/d/pingsphere-pair/pingsphere-pair?var-src=${__data.fields.from}&var-dst=${__data.fields.to}',
      'failed_pct',
    ),
    names: siteNames,
    fraToNycLink: '#/d/pingsphere-pair/pingsphere-pair?var-src=fra&var-dst=nyc',
  },
  {
    id: 'prometheus',
    title: 'Prometheus, goldpinger series read directly',
    frames: async () => prometheusSeriesFrames(),
    fields: { source: 'instance', target: 'host_ip', value: 'Value', reducer: ReducerID.mean },
    fieldConfig: fieldConfig('s', '#/explore?from=${__field.labels.instance}&to=${__field.labels.host_ip}'),
    names: ipNames,
    fraToNycLink: '#/explore?from=10.0.0.1&to=10.0.0.2',
  },
  {
    id: 'prometheus-reduce',
    title: 'Prometheus after Reduce (series to rows, labels to fields)',
    frames: prometheusReducedFrames,
    fields: { source: 'instance', target: 'host_ip', value: 'Mean' },
    fieldConfig: fieldConfig('s', '#/explore?from=${__data.fields.instance}&to=${__data.fields.host_ip}'),
    names: ipNames,
    fraToNycLink: '#/explore?from=10.0.0.1&to=10.0.0.2',
  },
  {
    id: 'prometheus-labels',
    title: 'Prometheus after Labels to fields',
    frames: prometheusLabelsToFieldsFrames,
    fields: { source: 'instance', target: 'host_ip', value: 'Value', reducer: ReducerID.mean },
    fieldConfig: fieldConfig('s', '#/explore?from=${__data.fields.instance}&to=${__data.fields.host_ip}'),
    names: ipNames,
    fraToNycLink: '#/explore?from=10.0.0.1&to=10.0.0.2',
  },
];
