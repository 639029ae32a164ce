import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourceHttpSettings, InlineField, Input } from '@grafana/ui';
import type { PingSphereOptions } from '../types';

/** QuestDB's HTTP URL (proxied by Grafana, basic auth if QuestDB has http.user set) and roll-up use. */
export function ConfigEditor({ options, onOptionsChange }: DataSourcePluginOptionsEditorProps<PingSphereOptions>) {
  return (
    <>
      <DataSourceHttpSettings
        defaultUrl="http://localhost:9000"
        dataSourceConfig={options}
        onChange={onOptionsChange}
        showAccessOptions={false}
      />
      <InlineField
        label="Roll-ups from"
        labelWidth={20}
        tooltip="Ranges at least this many hours long read the per-minute roll-ups (icmp_1m, http_1m) when the statistic can be computed exactly from them."
      >
        <Input
          type="number"
          min={0}
          width={10}
          suffix="h"
          value={options.jsonData.rollupMinRangeHours ?? 6}
          onChange={(e) =>
            onOptionsChange({
              ...options,
              jsonData: { ...options.jsonData, rollupMinRangeHours: Number(e.currentTarget.value) },
            })
          }
        />
      </InlineField>
    </>
  );
}
