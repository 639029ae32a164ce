import React from 'react';
import { createDataFrame, FieldType } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { harnessTheme, panelProps, ThemeProvider } from '../../harness/src/panel-host';
import { parseOverrides } from '../../src/geo/city-locator';
import { GeoMapPanel, type GeoMapOptions } from '../../src/panels/geomap/GeoMapPanel';
import { layoutGeo } from '../../src/panels/geomap/geo-layout';
import { buildGeoMesh } from '../../src/panels/geomap/geo-model';

const frame = createDataFrame({
  fields: [
    { name: 'src', type: FieldType.string, values: ['fra', 'nyc', 'fra'] },
    { name: 'dst', type: FieldType.string, values: ['nyc', 'fra', 'lab'] },
    { name: 'src_loc', type: FieldType.string, values: ['Frankfurt,DE', 'New York City,US', 'Frankfurt,DE'] },
    { name: 'dst_loc', type: FieldType.string, values: ['New York City,US', 'Frankfurt,DE', 'Basement,XX'] },
    { name: 'value', type: FieldType.number, values: [80, 95, 1], config: { unit: 'ms' } },
    { name: 'loss_pct', type: FieldType.number, values: [0, 3, 0] },
  ],
});
const options: GeoMapOptions = { colourBy: 'value', fit: 'world', lossThresholdPct: 1, locations: '' };
const size = { width: 800, height: 452 };
const mapHeight = 452 - 34 - 18;

function show(o: Partial<GeoMapOptions> = {}) {
  return render(
    <ThemeProvider theme={harnessTheme('light')}>
      <GeoMapPanel {...panelProps({ series: [frame], options: { ...options, ...o }, ...size, fromMs: 0, toMs: 1 })} />
    </ThemeProvider>,
  );
}

describe('GeoMapPanel', () => {
  it('names the nodes it cannot place and how to place them', () => {
    show();
    expect(screen.getByTestId('geomap-note').textContent).toBe(
      'not on the map (unknown location): lab (Basement,XX) — add "name = lat,lon" lines under Locations',
    );
  });

  it('places them with a Locations line and counts nodes and directed links', () => {
    show({ locations: 'lab = 50.1, 8.7' });
    expect(screen.getByTestId('geomap-note').textContent).toBe('3 nodes, 3 directed links');
  });

  it('shows a node and where it was placed (approximate city matches say so) on hover', () => {
    show();
    const layout = layoutGeo(buildGeoMesh([frame], parseOverrides(''))!, size.width, mapHeight, 'world');
    const fra = layout.nodes.find((n) => n.name === 'fra')!;
    fireEvent.mouseMove(screen.getByTestId('geomap-canvas'), { clientX: fra.x, clientY: fra.y });
    expect([...screen.getByTestId('geomap-tooltip').children].map((c) => c.textContent)).toEqual([
      'fra',
      'Frankfurt,DE ≈ Frankfurt am Main,DE',
    ]);
  });

  it('shows both directions of a hovered link', () => {
    show();
    const layout = layoutGeo(buildGeoMesh([frame], parseOverrides(''))!, size.width, mapHeight, 'world');
    const [x, y] = layout.curves.find((c) => c.link.from === 'fra')!.samples[8]!;
    fireEvent.mouseMove(screen.getByTestId('geomap-canvas'), { clientX: x, clientY: y });
    expect([...screen.getByTestId('geomap-tooltip').children].map((c) => c.textContent)).toEqual([
      'fra → nyc: 80.0 ms, loss 0 %',
      'nyc → fra: 95.0 ms, loss 3.00 %',
    ]);
  });

  it('switches the legend to loss when links are coloured by loss', () => {
    show({ colourBy: 'loss' });
    expect(screen.getAllByTestId('legend-tick').map((t) => t.textContent)).toEqual(['0 %', '50.0 %', '100 %']);
  });
});
