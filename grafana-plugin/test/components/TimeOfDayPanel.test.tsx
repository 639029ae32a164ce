import React from 'react';
import { createDataFrame, FieldType } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { harnessTheme, panelProps, ThemeProvider } from '../../harness/src/panel-host';
import { TimeOfDayPanel, type TimeOfDayOptions } from '../../src/panels/timeofday/TimeOfDayPanel';

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

function show(timeZone: string, series = [week()], options: TimeOfDayOptions = { axis: 'weekday', scale: 'linear' }) {
  return render(
    <ThemeProvider theme={harnessTheme('dark')}>
      <TimeOfDayPanel {...panelProps({ series, options, width: 780, height: 300, fromMs: 0, toMs: 1, timeZone })} />
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

  it('asks for time series when given a table', () => {
    const table = createDataFrame({ fields: [{ name: 'src', type: FieldType.string, values: ['a'] }] });
    show('utc', [table]);
    expect(screen.getByTestId('panel-empty').textContent).toMatch(/needs time series.*Format to Time series/);
  });
});
