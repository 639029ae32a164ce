// Saved matrix panels of 0.1.x → 0.2: the panel's own colour domain and cell link became Grafana's
// standard options (field config min/max and a data link on the value field), and the field
// mapping appeared with today's names as defaults. 0.2 → 0.3: the mapping grew `targets` and
// `down` (the ICMP group matrix), filled with their defaults. Nothing a dashboard saved is dropped.
import { FieldColorModeId, type DataLink, type PanelModel } from '@grafana/data';
import { defaultPairFields } from '../../shared/frame-fields';
import { defaultMatrixOptions, type MatrixOptions } from './types';

/** 0.1.x's default cell link, which applied whenever a panel saved none. */
const legacyDefaultLink = '/d/pingsphere-pair/pingsphere-pair?var-src=${src}&var-dst=${dst}&${__url_time_range}';

/** Options of 0.1.x that moved. */
interface LegacyMatrixOptions {
  min?: number;
  max?: number;
  pairLink?: string;
}

/** 0.1.x link placeholders → Grafana's data link variables for the same columns. */
const placeholders: Record<string, string> = {
  src: '${__data.fields.src}',
  dst: '${__data.fields.dst}',
  src_loc: '${__data.fields.src_loc}',
  dst_loc: '${__data.fields.dst_loc}',
};

/** A 0.1.x cell link as a data link URL (`${src}` → `${__data.fields.src}`; Grafana's own variables stay). */
export function legacyLinkToDataLink(template: string): string {
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) => placeholders[name] ?? whole);
}

/** Grafana's migration handler for the matrix: runs when a saved panel's pluginVersion differs from ours. */
export function migrateMatrixPanel(panel: PanelModel<Partial<MatrixOptions> & LegacyMatrixOptions>): MatrixOptions {
  const { min, max, pairLink, ...kept } = panel.options ?? {};
  const fields = { ...defaultPairFields, ...kept.fields };
  // Panels of 0.2 on: only the mapping's new fields (the standard options are already theirs).
  if (!savedBefore(panel.pluginVersion, 0, 2)) return { ...defaultMatrixOptions, ...kept, fields };
  const fieldConfig = (panel.fieldConfig ??= { defaults: {}, overrides: [] });
  const defaults = (fieldConfig.defaults ??= {});
  fieldConfig.overrides ??= [];
  if (typeof min === 'number' && defaults.min === undefined) defaults.min = min;
  if (typeof max === 'number' && defaults.max === undefined) defaults.max = max;
  // 0.1.x always coloured green → red over the domain: keep that look unless a scheme was chosen.
  defaults.color ??= { mode: FieldColorModeId.ContinuousGrYlRd };
  const link = pairLink ?? legacyDefaultLink;
  if (link) {
    const url = legacyLinkToDataLink(link);
    const links: DataLink[] = defaults.links ?? [];
    if (!links.some((l) => l.url === url)) links.push({ title: 'Pair detail', url });
    defaults.links = links;
  }
  return { ...defaultMatrixOptions, ...kept, fields };
}

/** Whether a panel was saved by a plugin older than major.minor (no version = 0.1, which saved none). */
export function savedBefore(pluginVersion: string | undefined, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(pluginVersion ?? '');
  if (!match) return true;
  const [saved, savedMinor] = [Number(match[1]), Number(match[2])];
  return saved < major || (saved === major && savedMinor < minor);
}
