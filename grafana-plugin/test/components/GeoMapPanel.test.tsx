// The geo map in jsdom with each datasource's frames (see MatrixPanel.test.tsx; Grafana is not
// running: field config applied by @grafana/data, template service emulated). Nodes are placed
// by Locations lines on the equator, so where they land is hand-computable: Natural Earth 1 at
// latitude 0 puts longitude λ at x = 0.8707 × λ; the whole sphere (x ±2.7354, y ±1.4224) fitted
// into 800 × 400 px less 12 px padding gives a scale of min(776 / 5.4708, 376 / 2.8448) = 132.17
// around the centre (400, 200): lon −90 → x 219.2, lon 90 → x 580.8, lon 0 → x 400.
import React from 'react';
import { createDataFrame, FieldType, type DataFrame, type FieldConfigSource } from '@grafana/data';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { datasourceShapes, prometheusSeriesFrames } from '../../harness/src/datasource-frames';
import { harnessTheme, panelProps, ThemeProvider } from '../../harness/src/panel-host';
import { GeoMapPanel, type GeoMapOptions } from '../../src/panels/geomap/GeoMapPanel';
import { plugin } from '../../src/panels/geomap/module';
import { defaultPairFields } from '../../src/shared/frame-fields';

const options: GeoMapOptions = {
  colourBy: 'value',
  fit: 'world',
  lossThresholdPct: 1,
  locations: '',
  colourSources: false,
  fields: defaultPairFields,
};
const size = { width: 800, height: 452 }; // map 400 px high: 452 − 34 (legend) − 18 (note)

function show(series: DataFrame[], o: Partial<GeoMapOptions> = {}, fieldConfig?: FieldConfigSource) {
  return render(
    <ThemeProvider theme={harnessTheme('dark')}>
      <GeoMapPanel
        {...panelProps({ series, options: { ...options, ...o }, plugin, fieldConfig, ...size, fromMs: 0, toMs: 1 })}
      />
    </ThemeProvider>,
  );
}

/** Hand-computed: fra at (219.2, 200), nyc at (580.8, 200); the fra → nyc arc bends 40 px below the line
 * (to the right of travel), its middle at (398.3, 220.4); nyc → fra bends above, through (401.7, 179.6). */
const at = { fra: { clientX: 219.2, clientY: 200 }, fraToNyc: { clientX: 398.3, clientY: 220.4 } };

describe('GeoMapPanel with each datasource’s frames; Grafana is not running: field config applied by @grafana/data, template service emulated', () => {
  describe.each(datasourceShapes.map((s) => [s.title, s] as const))('%s', (_title, shape) => {
    const locations = `${shape.names.fra} = 0, -90\n${shape.names.nyc} = 0, 90\n${shape.names.sgp} = 0, 0`;

    it('places the nodes, shows a node and both directions of a link with units, and follows the link', async () => {
      show(await shape.frames(), { locations, fields: { ...defaultPairFields, ...shape.fields } }, shape.fieldConfig);
      expect(screen.getByTestId('geomap-note').textContent).toBe('3 nodes, 6 directed links');
      const canvas = screen.getByTestId('geomap-canvas');
      fireEvent.mouseMove(canvas, at.fra);
      const located = shape.id === 'pingsphere' || shape.id === 'postgres';
      expect([...screen.getByTestId('geomap-tooltip').children].map((c) => c.textContent)).toEqual([
        shape.names.fra,
        located ? 'Frankfurt,DE' : 'override',
      ]);
      fireEvent.mouseMove(canvas, at.fraToNyc);
      const loss = located ? [', loss 0.0%', ', loss 2.5%'] : ['', ''];
      expect([...screen.getByTestId('geomap-tooltip').children].map((c) => c.textContent)).toEqual([
        `${shape.names.fra} → ${shape.names.nyc}: 10.0 ms${loss[0]}`,
        `${shape.names.nyc} → ${shape.names.fra}: 30.0 ms${loss[1]}`,
        'click: Pair detail',
      ]);
      fireEvent.click(canvas, at.fraToNyc);
      await waitFor(() => expect(window.location.hash).toBe(shape.fraToNycLink));
      window.location.hash = '';
    });
  });

  it('names the nodes it cannot place and how to place them', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'src', type: FieldType.string, values: ['fra', 'fra'] },
        { name: 'dst', type: FieldType.string, values: ['nyc', 'lab'] },
        { name: 'src_loc', type: FieldType.string, values: ['Frankfurt,DE', 'Frankfurt,DE'] },
        { name: 'dst_loc', type: FieldType.string, values: ['New York City,US', 'Basement,XX'] },
        { name: 'value', type: FieldType.number, values: [80, 1] },
      ],
    });
    const { unmount } = show([frame]);
    expect(screen.getByTestId('geomap-note').textContent).toBe(
      'not on the map (unknown location): lab (Basement,XX) — add "name = lat,lon" lines under Locations',
    );
    unmount();
    show([frame], { locations: 'lab = 50.1, 8.7' });
    expect(screen.getByTestId('geomap-note').textContent).toBe('3 nodes, 2 directed links');
  });

  it('shows an approximate city match as such', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'src', type: FieldType.string, values: ['fra'] },
        { name: 'dst', type: FieldType.string, values: ['nyc'] },
        { name: 'src_loc', type: FieldType.string, values: ['Frankfurt,DE'] },
        { name: 'dst_loc', type: FieldType.string, values: ['New York City,US'] },
        { name: 'value', type: FieldType.number, values: [80] },
      ],
    });
    // Frankfurt,DE matches "Frankfurt am Main" (not exact); placed by the Locations line only by
    // location would hide that, so this one keeps the city table: pointer at the node found by name.
    show([frame], { locations: 'nyc = 0, 90' });
    expect(screen.getByTestId('geomap-note').textContent).toBe('2 nodes, 1 directed links');
  });

  it('switches the legend to loss (0–100 %) when links are coloured by loss', async () => {
    const [pingsphere] = datasourceShapes;
    show(await pingsphere!.frames(), { colourBy: 'loss' }, pingsphere!.fieldConfig);
    expect(screen.getAllByTestId('legend-tick').map((t) => t.textContent)).toEqual(['0.0%', '50.0%', '100.0%']);
  });

  it('says which fields it needs and which it found', () => {
    show(prometheusSeriesFrames());
    expect(screen.getByTestId('panel-empty').textContent).toContain(
      'needs pairs with locations: fields (or labels) src, dst, value; found Time, Value, label instance, label host_ip',
    );
  });
});
