// Renders the plugin's panels outside Grafana: what a dashboard gives a panel built by hand, so
// the same components draw here, in tests and in the demo. Emulated, not Grafana: the panel's
// saved options and field config get the plugin's defaults (getPanelOptionsWithDefaults) and the
// frames get the field config applied (applyFieldOverrides: units, colours, overrides, data links)
// with Grafana's own @grafana/data functions, as a dashboard does; the template service is
// replaced by templateReplacer() (./template.ts) and Grafana's option registries by
// ./grafana-registries.ts.
import React from 'react';
import {
  applyFieldOverrides,
  createTheme,
  dateTime,
  getPanelOptionsWithDefaults,
  LoadingState,
  ThemeContext,
  type DataFrame,
  type FieldConfigSource,
  type GrafanaTheme2,
  type PanelPlugin,
  type PanelProps,
} from '@grafana/data';
import { registerGrafanaStandardOptions } from './grafana-registries';
import { templateReplacer } from './template';

registerGrafanaStandardOptions();

/** PanelProps for a panel fed frames directly (no Grafana runtime). */
export function panelProps<T>(args: {
  series: DataFrame[];
  options: T;
  width: number;
  height: number;
  fromMs: number;
  toMs: number;
  timeZone?: string;
  error?: string;
  /** The panel's plugin and saved field config: given, the frames get Grafana's field config processing. */
  plugin?: PanelPlugin;
  fieldConfig?: FieldConfigSource;
  theme?: GrafanaTheme2;
  /** Dashboard variables for ${name} in links. */
  variables?: Record<string, string>;
}): PanelProps<T> {
  const timeRange = {
    from: dateTime(args.fromMs),
    to: dateTime(args.toMs),
    raw: { from: dateTime(args.fromMs), to: dateTime(args.toMs) },
  };
  const replaceVariables = templateReplacer({ fromMs: args.fromMs, toMs: args.toMs, variables: args.variables });
  const timeZone = args.timeZone ?? 'browser';
  let series = args.series;
  let options = args.options;
  let fieldConfig: FieldConfigSource = args.fieldConfig ?? { defaults: {}, overrides: [] };
  if (args.plugin) {
    const withDefaults = getPanelOptionsWithDefaults({
      plugin: args.plugin,
      currentOptions: args.options as Record<string, unknown>,
      currentFieldConfig: fieldConfig,
      isAfterPluginChange: false,
    });
    options = withDefaults.options as T;
    fieldConfig = withDefaults.fieldConfig;
    series = applyFieldOverrides({
      data: series,
      fieldConfig,
      fieldConfigRegistry: args.plugin.fieldConfigRegistry,
      replaceVariables,
      theme: args.theme ?? harnessTheme('dark'),
      timeZone,
    });
  }
  return {
    id: 1,
    title: '',
    data: {
      state: args.error ? LoadingState.Error : LoadingState.Done,
      series,
      timeRange,
      ...(args.error ? { error: { message: args.error } } : {}),
    },
    timeRange,
    timeZone,
    options,
    fieldConfig,
    width: args.width,
    height: args.height,
    transparent: false,
    renderCounter: 0,
    replaceVariables,
    onOptionsChange: () => undefined,
    onFieldConfigChange: () => undefined,
    onChangeTimeRange: () => undefined,
    eventBus: undefined,
  } as unknown as PanelProps<T>;
}

/** The Grafana theme the page uses ("dark" or "light"). */
export function harnessTheme(mode: 'dark' | 'light'): GrafanaTheme2 {
  return createTheme({ colors: { mode } });
}

/** Provides the theme the way Grafana does, so useTheme2/useStyles2 work. */
export function ThemeProvider({ theme, children }: { theme: GrafanaTheme2; children: React.ReactNode }) {
  return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}
