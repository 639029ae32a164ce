import type { MatrixOrder } from './matrix-model';

export interface MatrixOptions {
  /** Colour by the statistic, or by A→B minus B→A. */
  mode: 'value' | 'asymmetry';
  order: MatrixOrder;
  scale: 'linear' | 'log';
  /** Fixed colour domain; empty = the data's range. */
  min?: number;
  max?: number;
  lossThresholdPct: number;
  /** Where a cell click goes; ${src}, ${dst}, ${src_loc}, ${dst_loc} and dashboard variables are filled in. */
  pairLink: string;
}

export const defaultPairLink = '/d/pingsphere-pair/pingsphere-pair?var-src=${src}&var-dst=${dst}&${__url_time_range}';

export const defaultMatrixOptions: MatrixOptions = {
  mode: 'value',
  order: 'location',
  scale: 'linear',
  lossThresholdPct: 1,
  pairLink: defaultPairLink,
};
