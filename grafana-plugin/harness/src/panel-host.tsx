// Renders the plugin's panels outside Grafana: what a dashboard gives a panel (PanelProps, the
// theme context) built by hand, so the same components draw here, in tests and in the demo.
import React from 'react';
import {
  createTheme,
  dateTime,
  LoadingState,
  ThemeContext,
  type DataFrame,
  type GrafanaTheme2,
  type PanelProps,
} from '@grafana/data';

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
}): PanelProps<T> {
  const timeRange = {
    from: dateTime(args.fromMs),
    to: dateTime(args.toMs),
    raw: { from: dateTime(args.fromMs), to: dateTime(args.toMs) },
  };
  const urlRange = `from=${args.fromMs}&to=${args.toMs}`;
  return {
    id: 1,
    title: '',
    data: {
      state: args.error ? LoadingState.Error : LoadingState.Done,
      series: args.series,
      timeRange,
      ...(args.error ? { error: { message: args.error } } : {}),
    },
    timeRange,
    timeZone: args.timeZone ?? 'browser',
    options: args.options,
    fieldConfig: { defaults: {}, overrides: [] },
    width: args.width,
    height: args.height,
    transparent: false,
    renderCounter: 0,
    replaceVariables: (text: string) => text.replace(/\$\{__url_time_range\}/g, urlRange),
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
