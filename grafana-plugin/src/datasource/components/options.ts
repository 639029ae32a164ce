import type { SelectableValue } from '@grafana/data';
import {
  phaseLabels,
  queryTypeLabels,
  statLabels,
  type Dimension,
  type Family,
  type HttpPhase,
  type QueryType,
  type Stat,
} from '../types';

export const familyOptions: Array<SelectableValue<Family>> = [
  { label: 'ICMP', value: 'icmp', description: 'native sweeps (table icmp)' },
  { label: 'HTTP', value: 'http', description: 'the pingmesh-style mesh (table http)' },
];

export const statOptions: Array<SelectableValue<Stat>> = (Object.keys(statLabels) as Stat[]).map((value) => ({
  label: statLabels[value],
  value,
}));

export const phaseOptions: Array<SelectableValue<HttpPhase>> = (Object.keys(phaseLabels) as HttpPhase[]).map(
  (value) => ({ label: phaseLabels[value], value }),
);

export const dimensionOptions: Array<SelectableValue<Dimension>> = [
  { label: 'source', value: 'src' },
  { label: 'destination', value: 'dst' },
  { label: 'source location', value: 'src_loc' },
  { label: 'destination location', value: 'dst_loc' },
];

export const queryTypeOptions: Array<SelectableValue<QueryType>> = (Object.keys(queryTypeLabels) as QueryType[]).map(
  (value) => ({ label: queryTypeLabels[value], value }),
);

/** Variable values: the query dimensions, plus the ICMP target inventory's groups and targets. */
export const variableDimensionOptions: Array<SelectableValue<Dimension | 'group' | 'target'>> = [
  ...dimensionOptions,
  { label: 'target group (inventory)', value: 'group', description: 'group keys of the targets table' },
  { label: 'target (inventory)', value: 'target', description: 'addresses of the targets table, of one group if set' },
];
