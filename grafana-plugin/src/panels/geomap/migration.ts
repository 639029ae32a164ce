// Saved geo map panels of 0.2 → 0.3: the field mapping grew `targets` and `down` (filled with their
// defaults) and the panel gained "Colour sources by their link" (the target-centric map), off for
// panels saved before it existed so they look as they did.
import type { PanelModel } from '@grafana/data';
import { defaultPairFields } from '../../shared/frame-fields';
import type { GeoMapOptions } from './GeoMapPanel';

export const defaultGeoMapOptions: GeoMapOptions = {
  colourBy: 'value',
  fit: 'world',
  lossThresholdPct: 1,
  locations: '',
  colourSources: false,
  fields: defaultPairFields,
};

/** Grafana's migration handler for the geo map: runs when a saved panel's pluginVersion differs from ours. */
export function migrateGeoMapPanel(panel: PanelModel<Partial<GeoMapOptions>>): GeoMapOptions {
  const saved = panel.options ?? {};
  return {
    ...defaultGeoMapOptions,
    ...saved,
    colourSources: saved.colourSources ?? false,
    fields: { ...defaultPairFields, ...saved.fields },
  };
}
