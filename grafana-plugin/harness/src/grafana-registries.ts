// Emulated, not Grafana: Grafana's app fills two registries of @grafana/data at start-up — the
// option editors that PanelOptionsEditorBuilder.addRadio/addSelect/… look up, and the standard
// field options (unit, decimals, min, max, thresholds, colour, no value, links, mappings) that
// PanelPlugin.useFieldConfig and applyFieldOverrides read, and the transformations. Outside
// Grafana they are empty, so the
// harness registers the same ids with @grafana/data's own override processors; the editors are
// never drawn here, so their components are empty.
import {
  booleanOverrideProcessor,
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  FieldType,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  standardTransformers,
  standardTransformersRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  ThresholdsMode,
  unitOverrideProcessor,
  valueMappingsOverrideProcessor,
  type Field,
  type FieldConfigPropertyItem,
  type StandardEditorsRegistryItem,
  type TransformerRegistryItem,
} from '@grafana/data';

const noEditor = () => null;
let registered = false;

/** Registers the editors and standard field options once (before any plugin's options are read). */
export function registerGrafanaStandardOptions(): void {
  if (registered) return;
  registered = true;
  const editors = [
    'radio',
    'number',
    'text',
    'select',
    'boolean',
    'field-name',
    'color',
    'unit',
    'thresholds',
    'links',
    'mappings',
  ];
  standardEditorsRegistry.setInit(() =>
    editors.map((id) => ({ id, name: id, editor: noEditor }) as unknown as StandardEditorsRegistryItem),
  );
  type Applies = (field: Field) => boolean;
  const numeric: Applies = (field) => field.type === FieldType.number;
  const all: Applies = () => true;
  const item = (
    id: string,
    process: FieldConfigPropertyItem['process'],
    shouldApply: Applies = all,
    defaultValue?: unknown,
  ) =>
    ({
      id,
      path: id,
      name: id,
      editor: noEditor,
      override: noEditor,
      process,
      shouldApply,
      defaultValue,
      settings: {},
    }) as unknown as FieldConfigPropertyItem;
  standardFieldConfigEditorRegistry.setInit(() => [
    item('displayName', displayNameOverrideProcessor),
    item('unit', unitOverrideProcessor, (f: Field) => f.type !== FieldType.time),
    item('min', numberOverrideProcessor, numeric),
    item('max', numberOverrideProcessor, numeric),
    item('fieldMinMax', booleanOverrideProcessor, numeric),
    item('decimals', numberOverrideProcessor, numeric),
    item('mappings', valueMappingsOverrideProcessor, all, []),
    // Grafana's default thresholds: green, red from 80.
    item('thresholds', thresholdsOverrideProcessor, all, {
      mode: ThresholdsMode.Absolute,
      steps: [
        { value: -Infinity, color: 'green' },
        { value: 80, color: 'red' },
      ],
    }),
    item('color', identityOverrideProcessor),
    item('noValue', stringOverrideProcessor),
    item('links', dataLinksOverrideProcessor),
    item('filterable', booleanOverrideProcessor),
  ]);
  // Transformations (Reduce, Labels to fields, …): @grafana/data's own implementations.
  standardTransformersRegistry.setInit(() =>
    [...new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values()].map(
      (transformation) =>
        ({
          id: transformation.id,
          name: transformation.name,
          transformation,
          editor: noEditor,
        }) as unknown as TransformerRegistryItem<unknown>,
    ),
  );
}
