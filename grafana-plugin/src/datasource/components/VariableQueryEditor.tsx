import React from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, Select } from '@grafana/ui';
import type { PingSphereVariableQuery } from '../types';
import { familyOptions, variableDimensionOptions } from './options';

interface Props {
  query: Partial<PingSphereVariableQuery>;
  onChange: (query: PingSphereVariableQuery, definition: string) => void;
}

/** A template variable lists collectors, targets or locations seen in one family's table. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const current: PingSphereVariableQuery = {
    family: query.family ?? 'icmp',
    dimension: query.dimension ?? 'src',
    ...(query.group ? { group: query.group } : {}),
  };
  const update = (patch: Partial<PingSphereVariableQuery>) => {
    const next = { ...current, ...patch };
    const of = next.dimension === 'target' && next.group ? ` of group ${next.group}` : '';
    onChange(next, `${next.family}: distinct ${next.dimension}${of}`);
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
          options={variableDimensionOptions}
          value={current.dimension}
          onChange={(v) => update({ dimension: v.value! })}
        />
      </InlineField>
      {current.dimension === 'target' && (
        <InlineField label="Of group" labelWidth={12} tooltip="Empty = every target; a variable such as $group works">
          <Input
            width={20}
            placeholder="any"
            defaultValue={current.group ?? ''}
            onBlur={(e) => update({ group: e.currentTarget.value.trim() || undefined })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
