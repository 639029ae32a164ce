import React from 'react';
import { InlineField, InlineFieldRow, RadioButtonGroup, Select } from '@grafana/ui';
import type { PingSphereVariableQuery } from '../types';
import { dimensionOptions, familyOptions } from './options';

interface Props {
  query: Partial<PingSphereVariableQuery>;
  onChange: (query: PingSphereVariableQuery, definition: string) => void;
}

/** A template variable lists collectors, targets or locations seen in one family's table. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const current: PingSphereVariableQuery = { family: query.family ?? 'icmp', dimension: query.dimension ?? 'src' };
  const update = (patch: Partial<PingSphereVariableQuery>) => {
    const next = { ...current, ...patch };
    onChange(next, `${next.family}: distinct ${next.dimension}`);
  };
  return (
    <InlineFieldRow>
      <InlineField label="Family" labelWidth={12}>
        <RadioButtonGroup options={familyOptions} value={current.family} onChange={(family) => update({ family })} />
      </InlineField>
      <InlineField label="Values of" labelWidth={12}>
        <Select
          aria-label="Values of"
          width={24}
          options={dimensionOptions}
          value={current.dimension}
          onChange={(v) => update({ dimension: v.value! })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
