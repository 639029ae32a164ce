import type { SelectableValue } from '@grafana/data';
import { phaseLabels, statLabels, type Dimension, type Family, type HttpPhase, type Stat } from '../types';

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
