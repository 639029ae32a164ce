import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, MultiSelect, RadioButtonGroup, Select, TagsInput } from '@grafana/ui';
import type { PingSphereDataSource } from '../datasource';
import { defaultQuery, type Dimension, type PingSphereOptions, type PingSphereQuery } from '../types';
import { dimensionOptions, familyOptions, phaseOptions, queryTypeOptions, statOptions } from './options';

type Props = QueryEditorProps<PingSphereDataSource, PingSphereQuery, PingSphereOptions>;

/** Family, statistic, phase, group-by, filters (template variables welcome), format and interval. */
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const q = { ...defaultQuery, ...query };
  const update = (patch: Partial<PingSphereQuery>) => {
    onChange({ ...q, ...patch });
    onRunQuery();
  };
  const setFilter = (dimension: Dimension, values: string[]) =>
    update({ filters: { ...q.filters, [dimension]: values } });
  const queryType = q.queryType ?? 'pairs';
  const typeRow = (
    <InlineFieldRow>
      <InlineField label="Query type" labelWidth={12}>
        <Select
          aria-label="Query type"
          width={36}
          options={queryTypeOptions}
          value={queryType}
          onChange={(v) => update({ queryType: v.value!, ...(v.value === 'pairs' ? {} : { family: 'icmp' }) })}
        />
      </InlineField>
    </InlineFieldRow>
  );
  if (queryType !== 'pairs') {
    const text = (key: 'group' | 'target', label: string, tooltip: string) => (
      <InlineField label={label} labelWidth={12} tooltip={tooltip}>
        <Input
          aria-label={label}
          width={24}
          placeholder={key === 'group' ? '$group' : '$target'}
          defaultValue={q[key] ?? ''}
          onBlur={(e) => update({ [key]: e.currentTarget.value.trim() || undefined })}
        />
      </InlineField>
    );
    return (
      <>
        {typeRow}
        <InlineFieldRow>
          <InlineField label="Statistic" labelWidth={12}>
            <Select
              aria-label="Statistic"
              width={16}
              options={statOptions}
              value={q.stat}
              onChange={(v) => update({ stat: v.value! })}
            />
          </InlineField>
          {queryType !== 'icmp_groups' && text('group', 'Group', 'Group key (a variable such as $group works)')}
          {queryType === 'icmp_focus' && text('target', 'Target', 'Address; beats the group when set')}
          {queryType === 'icmp_worst_targets' && (
            <InlineField label="Top" labelWidth={8}>
              <Input
                aria-label="Top"
                type="number"
                width={10}
                defaultValue={q.limit ?? 20}
                onBlur={(e) => update({ limit: Number(e.currentTarget.value) || 20 })}
              />
            </InlineField>
          )}
          <InlineField label="Collectors" labelWidth={12} tooltip="Values or template variables, e.g. $collector">
            <TagsInput placeholder="any" tags={q.filters?.src ?? []} onChange={(tags) => setFilter('src', tags)} />
          </InlineField>
        </InlineFieldRow>
      </>
    );
  }
  return (
    <>
      {typeRow}
      <InlineFieldRow>
        <InlineField label="Family" labelWidth={12}>
          <RadioButtonGroup options={familyOptions} value={q.family} onChange={(family) => update({ family })} />
        </InlineField>
        <InlineField label="Statistic" labelWidth={12}>
          <Select
            aria-label="Statistic"
            width={16}
            options={statOptions}
            value={q.stat}
            onChange={(v) => update({ stat: v.value! })}
          />
        </InlineField>
        {q.family === 'http' && (
          <InlineField label="Phase" labelWidth={10}>
            <Select
              aria-label="Phase"
              width={24}
              options={phaseOptions}
              value={q.phase}
              onChange={(v) => update({ phase: v.value! })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Group by" labelWidth={12}>
          <MultiSelect
            aria-label="Group by"
            width={50}
            options={dimensionOptions}
            value={q.groupBy}
            onChange={(v) => update({ groupBy: v.map((o) => o.value!) })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        {dimensionOptions.map(({ value, label }) => (
          <InlineField
            key={value}
            label={label}
            labelWidth={18}
            tooltip="Values or template variables, e.g. $collector"
          >
            <TagsInput
              placeholder="any"
              tags={q.filters?.[value!] ?? []}
              onChange={(tags) => setFilter(value!, tags)}
            />
          </InlineField>
        ))}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Format" labelWidth={12}>
          <RadioButtonGroup
            options={[
              { label: 'Time series', value: 'time_series' as const },
              { label: 'Table', value: 'table' as const },
            ]}
            value={q.format}
            onChange={(format) => update({ format })}
          />
        </InlineField>
        <InlineField
          label="Interval"
          labelWidth={12}
          tooltip="Bucket length, e.g. 1h; empty = the dashboard's interval"
        >
          <Input
            width={10}
            placeholder="auto"
            defaultValue={q.interval ?? ''}
            onBlur={(e) => update({ interval: e.currentTarget.value.trim() || undefined })}
          />
        </InlineField>
        <InlineField label="Source" labelWidth={10} tooltip="auto: per-minute roll-ups for long ranges when exact">
          <RadioButtonGroup
            options={[
              { label: 'auto', value: 'auto' as const },
              { label: 'raw', value: 'raw' as const },
              { label: 'roll-up', value: 'rollup' as const },
            ]}
            value={q.source ?? 'auto'}
            onChange={(source) => update({ source })}
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}
