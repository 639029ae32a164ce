// The panels' side of the inventory views, on frames shaped as the datasource returns them
// (toTableFrame on a QuestDB-shaped reply): the matrix reads each group cell's targets and targets
// down and says so in the tooltip; the geo map's "colour sources" gives each collector its link's
// colour. Colours are written out by hand: Grafana's dark-theme green #73BF69 and red #F2495C at the
// ends of the default scheme (as the Chromium tests); the theme is Grafana's own dark theme.
import { describe, expect, it } from 'vitest';
import { toTableFrame } from '../../src/datasource/frames';
import { harnessTheme, panelProps } from '../../harness/src/panel-host';
import { sourceColours } from '../../src/panels/geomap/GeoMapPanel';
import { buildGeoMesh } from '../../src/panels/geomap/geo-model';
import { plugin as geoMapPlugin } from '../../src/panels/geomap/module';
import { describePair } from '../../src/panels/matrix/MatrixPanel';
import { buildMatrix, isFieldProblem } from '../../src/panels/matrix/matrix-model';
import { plugin as matrixPlugin } from '../../src/panels/matrix/module';
import { fieldColourScale } from '../../src/shared/colour-scale';
import { defaultPairFields } from '../../src/shared/frame-fields';

/** An `icmp_groups` reply: two collectors, two groups. */
function groupFrame() {
  return toTableFrame(
    {
      columns: ['src', 'dst', 'src_loc', 'dst_loc', 'value', 'loss_pct', 'samples', 'targets', 'targets_down'].map(
        (name, i) => ({
          name,
          type: ['SYMBOL', 'SYMBOL', 'SYMBOL', 'SYMBOL', 'DOUBLE', 'DOUBLE', 'LONG', 'LONG', 'LONG'][i]!,
        }),
      ),
      dataset: [
        ['fra', 'edge-tokyo-1', 'Frankfurt,DE', 'Tokyo,JP', 240, 0.4, 1000, 500, 2],
        ['fra', 'core-paris-1', 'Frankfurt,DE', 'Paris,FR', 12, 0, 1000, 500, 0],
        ['sgp', 'edge-tokyo-1', 'Singapore,SG', 'Tokyo,JP', 70, 0, 1000, 500, 0],
        ['sgp', 'core-paris-1', 'Singapore,SG', 'Paris,FR', 160, 0, 1000, 500, 1],
      ],
      count: 4,
    },
    { refId: 'A', family: 'icmp', stat: 'avg', groupBy: [], format: 'table', queryType: 'icmp_groups' },
    'SELECT …',
  );
}

const theme = harnessTheme('dark');

describe('group views in the panels (frames as the PingSphere datasource returns them)', () => {
  it('matrix: a group cell says how many of its targets are down', () => {
    const props = panelProps({
      series: [groupFrame()],
      options: { fields: defaultPairFields },
      plugin: matrixPlugin,
      width: 400,
      height: 300,
      fromMs: 0,
      toMs: 1,
    });
    const matrix = buildMatrix(props.data.series, defaultPairFields, 'name');
    if (isFieldProblem(matrix)) throw new Error('no matrix');
    expect(matrix.cols.map((c) => c.name)).toEqual(['core-paris-1', 'edge-tokyo-1']);
    const lines = describePair(matrix, 0, 1, theme); // fra → edge-tokyo-1
    expect(lines[1]).toBe('fra → edge-tokyo-1: 240 ms, loss 0.400%, 1000 samples, 2 of 500 targets down');
    expect(describePair(matrix, 0, 0, theme)[1]).toBe(
      'fra → core-paris-1: 12 ms, loss 0%, 1000 samples, 0 of 500 targets down',
    );
  });

  it('geo map: each source takes the colour of its worst link', () => {
    const props = panelProps({
      series: [groupFrame()],
      options: { fields: defaultPairFields },
      plugin: geoMapPlugin,
      width: 400,
      height: 300,
      fromMs: 0,
      toMs: 1,
    });
    const mesh = buildGeoMesh(props.data.series, defaultPairFields, new Map());
    if ('needs' in mesh) throw new Error('no mesh');
    const scale = fieldColourScale(
      mesh.valueField,
      theme,
      mesh.links.map((l) => l.value),
    );
    const colours = sourceColours(mesh, {
      scale,
      colourBy: 'value',
      lossThresholdPct: 1,
      theme: { isDark: true, text: '', land: '', border: '#000', water: '', node: '' },
    });
    // fra's worst link is 240 ms, the highest value (red); sgp's 160 ms is neither end.
    expect(colours.get('fra')).toBe('rgb(242, 73, 92)');
    expect(colours.get('sgp')).not.toBe('rgb(242, 73, 92)');
    expect(colours.get('sgp')).not.toBe('rgb(115, 191, 105)');
    // By loss instead: fra's worst loss is 0.4 % (the highest, red), sgp's 0 % (the lowest, green).
    const lossScale = fieldColourScale({ ...mesh.valueField, config: { min: 0, max: 0.4 } }, theme, [0, 0.4]);
    const byLoss = sourceColours(mesh, {
      scale: lossScale,
      colourBy: 'loss',
      lossThresholdPct: 1,
      theme: { isDark: true, text: '', land: '', border: '#000', water: '', node: '' },
    });
    expect([byLoss.get('fra'), byLoss.get('sgp')]).toEqual(['rgb(242, 73, 92)', 'rgb(115, 191, 105)']);
  });
});
