import { defaultPairFields, type PairFieldMapping } from '../../shared/frame-fields';
import type { MatrixOrder } from './matrix-model';

export interface MatrixOptions {
  /** Colour by the statistic, or by A→B minus B→A. */
  mode: 'value' | 'asymmetry';
  order: MatrixOrder;
  scale: 'linear' | 'log';
  lossThresholdPct: number;
  /** Which fields (or labels) hold source, target, value, loss… */
  fields: PairFieldMapping;
}

/**
 * The cell link of 0.1.x, now the value field's data link: Grafana fills `${__data.fields.…}` from
 * the clicked cell's row and `${__url_time_range}` from the dashboard.
 */
export const defaultPairLink =
  '/d/pingsphere-pair/pingsphere-pair?var-src=${__data.fields.src}&var-dst=${__data.fields.dst}&${__url_time_range}';

export const defaultMatrixOptions: MatrixOptions = {
  mode: 'value',
  order: 'location',
  scale: 'linear',
  lossThresholdPct: 1,
  fields: defaultPairFields,
};
