import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelData } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/** The panel's empty or error state: what happened and what to do about it. */
export function PanelMessage({ title, hint, kind }: { title: string; hint: string; kind: 'empty' | 'error' }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.box} role={kind === 'error' ? 'alert' : 'status'} data-testid={`panel-${kind}`}>
      <div className={kind === 'error' ? styles.error : styles.title}>{title}</div>
      <div className={styles.hint}>{hint}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    padding: theme.spacing(2),
    gap: theme.spacing(1),
  }),
  title: css({ fontSize: theme.typography.h5.fontSize, color: theme.colors.text.primary }),
  error: css({ fontSize: theme.typography.h5.fontSize, color: theme.colors.error.text }),
  hint: css({ color: theme.colors.text.secondary, maxWidth: 520 }),
});

/** Explains a failed query, or returns undefined when the data is fine. */
export function dataProblem(
  data: Pick<PanelData, 'state' | 'error' | 'errors' | 'series'>,
): { title: string; hint: string; kind: 'empty' | 'error' } | undefined {
  const errorMessage = data.error?.message ?? data.errors?.[0]?.message;
  if (data.state === 'Error' || errorMessage) {
    return {
      kind: 'error',
      title: `Query failed: ${errorMessage ?? 'unknown error'}`,
      hint: 'Check the PingSphere datasource (Connections → Data sources → Save & test) and the query.',
    };
  }
  if (data.series.length === 0) {
    return {
      kind: 'empty',
      title: 'No data in this time range',
      hint: 'Start collectors that write to QuestDB (pingsphere collect --questdb "http::addr=HOST:9000;") or widen the time range.',
    };
  }
  return undefined;
}
