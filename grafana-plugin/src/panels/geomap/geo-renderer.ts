// Paints the offline world, the directed links (coloured by the statistic, purple for loss) with
// arrowheads, and the nodes with their names.
import { geoGraticule10, geoPath } from 'd3-geo';
import type { ColourScale } from '../../shared/colour-scale';
import { worldGeometry } from '../../geo/world';
import { lossColours } from '../matrix/matrix-renderer';
import { nodeRadiusPx, type GeoLayout, type LinkCurve } from './geo-layout';

export interface GeoPaint {
  layout: GeoLayout;
  scale: ColourScale;
  colourBy: 'value' | 'loss';
  lossThresholdPct: number;
  /** Fill of a node by name (a source coloured by its RTT to the target); others get theme.node. */
  nodeColours?: Map<string, string>;
  theme: { isDark: boolean; text: string; land: string; border: string; water: string; node: string };
}

/** Colour of a link: purple when lossy (past the threshold), else the scale's colour. */
export function linkColour(
  link: Pick<LinkCurve['link'], 'lossPct' | 'value'>,
  paint: Pick<GeoPaint, 'scale' | 'colourBy' | 'lossThresholdPct' | 'theme'>,
): string {
  const { lossPct, value } = link;
  if (lossPct >= 100) return `rgb(${lossColours.total.join(', ')})`;
  if (paint.colourBy === 'loss') return paint.scale.css(Number.isFinite(lossPct) ? lossPct : 0);
  if (lossPct >= paint.lossThresholdPct && lossPct > 0) return lossColours.partial;
  return Number.isFinite(value) ? paint.scale.css(value) : paint.theme.border;
}

export function paintGeo(ctx: CanvasRenderingContext2D, paint: GeoPaint, width: number, height: number): void {
  const { layout, theme } = paint;
  ctx.clearRect(0, 0, width, height);
  const path = geoPath(layout.projection, ctx);
  const world = worldGeometry();
  ctx.beginPath();
  path({ type: 'Sphere' });
  ctx.fillStyle = theme.water;
  ctx.fill();
  ctx.beginPath();
  path(geoGraticule10());
  ctx.strokeStyle = theme.border;
  ctx.globalAlpha = 0.35;
  ctx.lineWidth = 0.5;
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.beginPath();
  path(world.countries);
  ctx.fillStyle = theme.land;
  ctx.fill();
  ctx.beginPath();
  path(world.borders);
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 0.5;
  ctx.stroke();

  for (const curve of layout.curves) {
    const colour = linkColour(curve.link, paint);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(curve.link.lossPct >= 100 ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(curve.x0, curve.y0);
    ctx.quadraticCurveTo(curve.cx, curve.cy, curve.x1, curve.y1);
    ctx.stroke();
    ctx.setLineDash([]);
    arrowHead(ctx, curve);
  }
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'center';
  for (const node of layout.nodes) {
    ctx.beginPath();
    ctx.arc(node.x, node.y, nodeRadiusPx, 0, 2 * Math.PI);
    ctx.fillStyle = paint.nodeColours?.get(node.name) ?? theme.node;
    ctx.fill();
    ctx.strokeStyle = theme.water;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.fillStyle = theme.text;
    ctx.fillText(node.name, node.x, node.y - nodeRadiusPx - 2);
  }
}

/** A filled triangle at the end of the curve, along its final tangent. */
function arrowHead(ctx: CanvasRenderingContext2D, curve: LinkCurve): void {
  const angle = Math.atan2(curve.y1 - curve.cy, curve.x1 - curve.cx);
  const size = 8;
  ctx.beginPath();
  ctx.moveTo(curve.x1, curve.y1);
  ctx.lineTo(curve.x1 - size * Math.cos(angle - 0.45), curve.y1 - size * Math.sin(angle - 0.45));
  ctx.lineTo(curve.x1 - size * Math.cos(angle + 0.45), curve.y1 - size * Math.sin(angle + 0.45));
  ctx.closePath();
  ctx.fill();
}
