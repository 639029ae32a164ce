import React, { useLayoutEffect, useMemo, useRef } from 'react';
import { css } from '@emotion/css';
import { FieldType, type Field, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { parseOverrides } from '../../geo/city-locator';
import { sizeCanvas } from '../../shared/canvas';
import { fieldColourScale } from '../../shared/colour-scale';
import { formatField } from '../../shared/display';
import { defaultPairFields, describeFieldProblem, type PairFieldMapping } from '../../shared/frame-fields';
import { followLink, linksAt } from '../../shared/links';
import { Legend, legendHeightPx } from '../../shared/Legend';
import { dataProblem, PanelMessage } from '../../shared/PanelMessage';
import { lossColours } from '../matrix/matrix-renderer';
import { hitTest, layoutGeo, type GeoLayout } from './geo-layout';
import { buildGeoMesh, type GeoLink, type GeoMesh } from './geo-model';
import { linkColour, paintGeo } from './geo-renderer';

/** The colour of each source's link (its highest value when it has several), for `colourSources`. */
export function sourceColours(mesh: GeoMesh, paint: Parameters<typeof linkColour>[1]): Map<string, string> {
  const worst = new Map<string, GeoLink>();
  for (const link of mesh.links) {
    const seen = worst.get(link.from);
    const rank = (l: GeoLink) => (paint.colourBy === 'loss' ? l.lossPct : l.value);
    if (!seen || rank(link) > rank(seen) || Number.isNaN(rank(seen))) worst.set(link.from, link);
  }
  return new Map([...worst].map(([name, link]) => [name, linkColour(link, paint)]));
}

export interface GeoMapOptions {
  colourBy: 'value' | 'loss';
  fit: 'world' | 'collectors';
  lossThresholdPct: number;
  /** Lines "name-or-location = lat,lon" that beat the city table. */
  locations: string;
  /**
   * Fill each source with the colour of its link (its worst one when it has several): the
   * target-centric map, where every collector is coloured by its RTT to one target or group.
   */
  colourSources: boolean;
  /** Which fields (or labels) hold source, target, value, loss, locations. */
  fields: PairFieldMapping;
}

/** The loss field (0–100 % unless its standard options say otherwise), or a plain percentage field. */
function lossScaleField(mesh: GeoMesh): Field {
  const base: Field = mesh.lossField ?? {
    name: 'loss',
    type: FieldType.number,
    config: { unit: 'percent' },
    values: [],
  };
  return { ...base, config: { min: 0, max: 100, ...base.config } };
}

/** The data links of a link: its value field's links for the row it was read from. */
export function geoLinkLinks(mesh: GeoMesh, link: GeoLink) {
  return linksAt(mesh.valueFields[link.frameIndex], link.rowIndex);
}

const noteHeightPx = 18;

/** Tooltip lines for a hovered node or link (a link shows both directions). */
export function describeHit(mesh: GeoMesh, hit: ReturnType<typeof hitTest>, theme: GrafanaTheme2): string[] {
  if (!hit) return [];
  if ('node' in hit) {
    const { node } = hit;
    const where = node.place!.exact
      ? node.location || node.place!.matched
      : `${node.location} ≈ ${node.place!.matched}`;
    return [`${node.name}`, where];
  }
  const { link } = hit.curve;
  const back = mesh.links.find((l) => l.from === link.to && l.to === link.from);
  const line = (l: typeof link) =>
    `${l.from} → ${l.to}: ${formatField(mesh.valueField, l.value, theme)}` +
    (Number.isNaN(l.lossPct) ? '' : `, loss ${formatField(lossScaleField(mesh), l.lossPct, theme)}`);
  return [line(link), back ? line(back) : `${link.to} → ${link.from}: no data`];
}

/** Collectors on an offline world map with directed links coloured by RTT or loss. */
export function GeoMapPanel({ data, width, height, options }: PanelProps<GeoMapOptions>) {
  const fields = { ...defaultPairFields, ...options.fields };
  const fieldsKey = JSON.stringify(fields);
  const theme = useTheme2();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const tooltipRef = useRef<HTMLDivElement>(null);
  const colourBy = options.colourBy ?? 'value';
  const threshold = options.lossThresholdPct ?? 1;
  const built = useMemo(
    () => buildGeoMesh(data.series, fields, parseOverrides(options.locations)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the mapping by value, not by object identity
    [data.series, fieldsKey, options.locations],
  );
  const mesh = 'needs' in built ? undefined : built;
  const mapHeight = Math.max(0, height - legendHeightPx - noteHeightPx);
  const view = useMemo(() => {
    if (!mesh) return undefined;
    const values = mesh.links.map((l) => (colourBy === 'loss' ? l.lossPct : l.value));
    const field = colourBy === 'loss' ? lossScaleField(mesh) : mesh.valueField;
    return {
      layout: layoutGeo(mesh, width, mapHeight, options.fit ?? 'world'),
      scale: fieldColourScale(field, theme, values),
    };
  }, [mesh, colourBy, width, mapHeight, options.fit, theme]);
  const hoverLayout = useRef<GeoLayout | undefined>(undefined);
  hoverLayout.current = view?.layout;

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !view) return;
    const ctx = sizeCanvas(canvas, width, mapHeight);
    if (!ctx) return;
    const mapTheme = {
      isDark: theme.isDark,
      text: theme.colors.text.primary,
      land: theme.isDark ? '#2f3440' : '#e4e6eb',
      border: theme.isDark ? '#4a5060' : '#b8bcc6',
      water: theme.colors.background.primary,
      node: theme.colors.primary.main,
    };
    const style = { scale: view.scale, colourBy, lossThresholdPct: threshold, theme: mapTheme };
    paintGeo(
      ctx,
      {
        layout: view.layout,
        ...style,
        ...(options.colourSources && mesh ? { nodeColours: sourceColours(mesh, style) } : {}),
      },
      width,
      mapHeight,
    );
  }, [view, mesh, width, mapHeight, colourBy, threshold, theme, options.colourSources]);

  const problem = dataProblem(data);
  if (problem) return <PanelMessage {...problem} />;
  if (!mesh || !view) {
    return (
      <PanelMessage
        kind="empty"
        {...describeFieldProblem(built as Exclude<typeof built, GeoMesh>, 'pairs with locations')}
      />
    );
  }

  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const tooltip = tooltipRef.current;
    const layout = hoverLayout.current;
    if (!tooltip || !layout) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const hit = hitTest(layout, x, y);
    const lines = describeHit(mesh, hit, theme);
    const links = hit && 'curve' in hit ? geoLinkLinks(mesh, hit.curve.link) : [];
    if (links.length > 0) lines.push(`click: ${links.map((l) => l.title || l.href).join(' · ')}`);
    if (lines.length === 0) {
      tooltip.style.display = 'none';
      return;
    }
    tooltip.textContent = '';
    for (const text of lines) tooltip.appendChild(Object.assign(document.createElement('div'), { textContent: text }));
    tooltip.style.display = 'block';
    tooltip.style.left = `${Math.min(x + 12, Math.max(0, width - 280))}px`;
    tooltip.style.top = `${y + 12}px`;
  };

  const onClick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const layout = hoverLayout.current;
    if (!layout) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const hit = hitTest(layout, event.clientX - rect.left, event.clientY - rect.top);
    const [link] = hit && 'curve' in hit ? geoLinkLinks(mesh, hit.curve.link) : [];
    if (link) followLink(link);
  };

  const note =
    mesh.unplaced.length > 0
      ? `not on the map (unknown location): ${mesh.unplaced.map((n) => `${n.name}${n.location ? ` (${n.location})` : ''}`).join(', ')} — add "name = lat,lon" lines under Locations`
      : `${view.layout.nodes.length} nodes, ${view.layout.curves.length} directed links`;
  return (
    <div style={{ width, height, position: 'relative' }} data-testid="geomap-panel">
      <div style={{ position: 'relative', width, height: mapHeight }}>
        <canvas
          ref={canvasRef}
          data-testid="geomap-canvas"
          onMouseMove={onMove}
          onClick={onClick}
          onMouseLeave={() => tooltipRef.current && (tooltipRef.current.style.display = 'none')}
        />
        <div
          ref={tooltipRef}
          role="tooltip"
          data-testid="geomap-tooltip"
          className={tooltipClass}
          style={{
            display: 'none',
            background: theme.colors.background.secondary,
            color: theme.colors.text.primary,
            border: `1px solid ${theme.colors.border.medium}`,
          }}
        />
      </div>
      <div className={noteClass} style={{ color: theme.colors.text.secondary }} data-testid="geomap-note">
        {note}
      </div>
      <Legend
        scale={view.scale}
        format={(v) => formatField(colourBy === 'loss' ? lossScaleField(mesh) : mesh.valueField, v, theme)}
        title={colourBy === 'loss' ? 'loss' : 'link'}
        swatches={[
          { label: 'no reply', colour: `rgb(${lossColours.total.join(', ')})`, shape: 'square' },
          ...(colourBy === 'value'
            ? [{ label: `loss ≥ ${threshold} %`, colour: lossColours.partial, shape: 'square' as const }]
            : []),
        ]}
      />
    </div>
  );
}

const tooltipClass = css({
  position: 'absolute',
  pointerEvents: 'none',
  padding: '4px 8px',
  fontSize: 12,
  borderRadius: 4,
  whiteSpace: 'nowrap',
});
const noteClass = css({ height: noteHeightPx, fontSize: 11, whiteSpace: 'nowrap', overflow: 'hidden' });
