import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { harnessTheme, ThemeProvider } from '../../harness/src/panel-host';
import { QueryEditor } from '../../src/datasource/components/QueryEditor';
import type { PingSphereDataSource } from '../../src/datasource/datasource';
import type { PingSphereQuery } from '../../src/datasource/types';

function show(query: Partial<PingSphereQuery>) {
  const onChange = vi.fn();
  const onRunQuery = vi.fn();
  render(
    <ThemeProvider theme={harnessTheme('light')}>
      <QueryEditor
        query={{ refId: 'A', ...query } as PingSphereQuery}
        onChange={onChange}
        onRunQuery={onRunQuery}
        datasource={{} as PingSphereDataSource}
      />
    </ThemeProvider>,
  );
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('fills in the defaults and switches the family, running the query', () => {
    const { onChange, onRunQuery } = show({});
    fireEvent.click(screen.getByLabelText('HTTP'));
    expect(onChange).toHaveBeenCalledWith(
      expect.objectContaining({
        refId: 'A',
        family: 'http',
        stat: 'p50',
        groupBy: ['src', 'dst'],
        format: 'time_series',
      }),
    );
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('offers the HTTP phase only for HTTP queries', () => {
    show({ family: 'icmp' });
    expect(screen.queryByText('Phase')).toBeNull();
    show({ family: 'http' });
    expect(screen.getByText('Phase')).toBeTruthy();
  });

  it('switches between time series and table', () => {
    const { onChange } = show({ family: 'icmp' });
    fireEvent.click(screen.getByLabelText('Table'));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ format: 'table' }));
  });

  it('shows the inventory query types with their own fields: a group for drill-down, a limit for worst targets', () => {
    show({ family: 'icmp', queryType: 'icmp_group_targets', group: '$group' });
    expect((screen.getByLabelText('Group') as HTMLInputElement).value).toBe('$group');
    expect(screen.queryByLabelText('Top')).toBeNull();
    expect(screen.queryByText('Group by')).toBeNull();
    const { onChange } = show({ family: 'icmp', queryType: 'icmp_worst_targets' });
    const top = screen.getByLabelText('Top') as HTMLInputElement;
    expect(top.value).toBe('20');
    fireEvent.change(top, { target: { value: '50' } });
    fireEvent.blur(top);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ queryType: 'icmp_worst_targets', limit: 50 }));
  });
});
