import React from 'react';
import { createDataFrame, FieldType } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { harnessTheme, panelProps, ThemeProvider } from '../../harness/src/panel-host';
import { plugin } from '../../src/panels/timeofday/module';
import { TimeOfDayPanel, type TimeOfDayOptions } from '../../src/panels/timeofday/TimeOfDayPanel';
import { postgresTableFrame, prometheusSeriesFrames } from '../../harness/src/datasource-frames';

/** A week of hourly points: 10 ms, except 40 ms from 18:00 to 19:00 UTC every day. */
function week() {
  const start = Date.parse('2026-11-23T00:00:00Z');
  const times = Array.from({ length: 7 * 24 }, (_, h) => start + h * 3_600_000);
  return createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: times },
      {
        name: 'value',
        type: FieldType.number,
        values: times.map((t) => (new Date(t).getUTCHours() === 18 ? 40 : 10)),
        config: { unit: 'ms' },
      },
    ],
  });
}

function show(
  timeZone: string,
  series = [week()],
  options: TimeOfDayOptions = { axis: 'weekday', scale: 'linear' },
  defaults: Record<string, unknown> = {},
) {
  return render(
    <ThemeProvider theme={harnessTheme('dark')}>
      <TimeOfDayPanel
        {...panelProps({
          series,
          options,
          plugin,
          fieldConfig: { defaults: { decimals: 1, ...defaults }, overrides: [] },
          width: 780,
          height: 300,
          fromMs: 0,
          toMs: 1,
          timeZone,
        })}
      />
    </ThemeProvider>,
  );
}

describe('TimeOfDayPanel', () => {
  it('says when latency rises, in the dashboard time zone', () => {
    show('utc');
    expect(screen.getByTestId('timeofday-summary').textContent).toBe(
      'highest at 18:00–19:00: 40.0 ms (mean of all hours 11.3 ms) · UTC',
    );
  });

  it('moves the rise to local time for another zone (Tokyo is UTC+9)', () => {
    show('Asia/Tokyo');
    expect(screen.getByTestId('timeofday-summary').textContent).toMatch(
      /^highest at 03:00–04:00: 40\.0 ms .* · Asia\/Tokyo$/,
    );
  });

  it('shows the cell under the pointer: day, hour, value and how many points it holds', () => {
    show('utc');
    // Grid: 78 px of day labels, then 24 columns of (780 - 78) / 24 px; 16 px of hour labels, 7 rows.
    const cellW = (780 - 78) / 24;
    const cellH = (300 - 34 - 20 - 16) / 7;
    fireEvent.mouseMove(screen.getByTestId('timeofday-canvas'), {
      clientX: 78 + 18.5 * cellW,
      clientY: 16 + 2.5 * cellH,
    });
    expect(screen.getByTestId('timeofday-tooltip').textContent).toBe('Wed 18:00–19:00 (UTC): 40.0 ms from 1 points');
  });

  it('says what it needs when given a table without times', () => {
    const table = createDataFrame({ fields: [{ name: 'src', type: FieldType.string, values: ['a'] }] });
    show('utc', [table]);
    expect(screen.getByTestId('panel-empty').textContent).toMatch(
      /needs time series: fields \(or labels\) a time field, a number field; found src.*Format = Time series/,
    );
  });

  it('reads Prometheus series (goldpinger, seconds) through the value field’s unit', () => {
    // Three steps at 12:00–12:02 UTC on a Monday; the mean over all six series is 30 ms.
    show('utc', prometheusSeriesFrames(), { axis: 'weekday', scale: 'linear' }, { unit: 's' });
    expect(screen.getByTestId('timeofday-summary').textContent).toBe(
      'highest at 12:00–13:00: 30.0 ms (mean of all hours 30.0 ms) · UTC',
    );
  });

  it('reads the mapped fields of a PostgreSQL table and says which are missing', () => {
    const rows = postgresTableFrame();
    const withTime = createDataFrame({
      fields: [
        {
          name: 'bucket',
          type: FieldType.time,
          values: rows.fields[0]!.values.map(() => Date.parse('2026-11-24T07:30:00Z')),
        },
        ...rows.fields,
      ],
    });
    const { unmount } = show('utc', [withTime], {
      axis: 'weekday',
      scale: 'linear',
      fields: { time: 'bucket', value: 'failed_pct' },
    });
    expect(screen.getByTestId('timeofday-summary').textContent).toMatch(/^highest at 07:00–08:00: 17\.1 /); // mean loss (0+2.5+0+0+100+0)/6
    unmount();
    show('utc', [withTime], { axis: 'weekday', scale: 'linear', fields: { time: 'bucket', value: 'rtt' } });
    expect(screen.getByTestId('panel-empty').textContent).toContain(
      'fields (or labels) bucket, rtt; found bucket, from, to',
    );
  });
});
