// Value → colour for canvas panels, from the value field's standard options (colour scheme,
// thresholds, min/max) as Grafana's own colour modes compute them, cached as an RGBA lookup table:
// colouring 250,000 cells is one index computation and one array read each (no string colours,
// no per-cell display-processor call).
import {
  colorManipulator,
  FieldColorModeId,
  getFieldColorModeForField,
  ThresholdsMode,
  type Field,
  type GrafanaTheme2,
} from '@grafana/data';

/**
 * A palette: 256 colours spread over the domain (continuous schemes) or one colour per threshold
 * step (by-thresholds), each step starting at its value (or percent of the domain).
 */
export type Palette =
  | { kind: 'continuous'; lut: Uint8ClampedArray }
  | { kind: 'steps'; lut: Uint8ClampedArray; starts: number[]; percent: boolean };

/** A colour scale over [min, max] (linear or log10) with its palette as a lookup table. */
export class ColourScale {
  readonly lut: Uint8ClampedArray;
  private readonly lo: number;
  private readonly span: number;

  constructor(
    readonly palette: Palette,
    readonly min: number,
    readonly max: number,
    readonly log = false,
  ) {
    this.lut = palette.lut;
    this.lo = this.transform(min);
    const hi = this.transform(max);
    this.span = hi > this.lo ? hi - this.lo : 1;
  }

  private transform(value: number): number {
    return this.log ? Math.log10(Math.max(value, 1e-3)) : value;
  }

  /** Position of a value in the domain, 0…1 (clamped). */
  fraction(value: number): number {
    return Math.max(0, Math.min(1, (this.transform(value) - this.lo) / this.span));
  }

  /** LUT entry of a value: 0…255 on a continuous palette, the active step on a thresholds one. */
  index(value: number): number {
    const p = this.palette;
    if (p.kind === 'continuous') return Math.round(this.fraction(value) * 255);
    const x = p.percent ? this.fraction(value) * 100 : value;
    let k = 0;
    while (k + 1 < p.starts.length && x >= p.starts[k + 1]!) k++;
    return k;
  }

  /** CSS colour of a value. */
  css(value: number): string {
    const i = this.index(value) * 4;
    return `rgb(${this.lut[i]}, ${this.lut[i + 1]}, ${this.lut[i + 2]})`;
  }

  /** CSS linear-gradient from min to max, for the legend bar (threshold steps show as hard edges). */
  gradient(): string {
    const parts: string[] = [];
    const samples = this.palette.kind === 'continuous' ? 8 : 64;
    for (let k = 0; k <= samples; k++) parts.push(`${this.css(this.valueAt(k / samples))} ${(k / samples) * 100}%`);
    return `linear-gradient(to right, ${parts.join(', ')})`;
  }

  /** The value at a fraction of the domain (in the scale's own spacing). */
  valueAt(fraction: number): number {
    const t = this.lo + fraction * this.span;
    return this.log ? 10 ** t : t;
  }

  /** Values at evenly spaced legend ticks (log ticks for a log scale). */
  ticks(count = 5): number[] {
    return Array.from({ length: count }, (_, k) => this.valueAt(k / (count - 1)));
  }
}

function rgbOf(colour: string): [number, number, number] {
  const { values } = colorManipulator.decomposeColor(colour) as { values: number[] };
  return [values[0]!, values[1]!, values[2]!];
}

function lutOf(colours: string[]): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(colours.length * 4);
  colours.forEach((colour, i) => {
    lut.set([...rgbOf(colour), 255], i * 4);
  });
  return lut;
}

/** The colour scheme a field gets when its config sets none (the panels' default). */
export const defaultColourMode = FieldColorModeId.ContinuousGrYlRd;

/**
 * The palette of a field's colour scheme: by thresholds (absolute or percentage steps) or any
 * other Grafana colour mode sampled at 256 points of the domain (continuous schemes vary; a
 * single colour or a classic palette stays constant, as in Grafana's own panels).
 */
export function fieldPalette(field: Field, theme: GrafanaTheme2): Palette {
  const withMode: Field = field.config.color?.mode
    ? field
    : { ...field, config: { ...field.config, color: { mode: defaultColourMode } } };
  const mode = getFieldColorModeForField(withMode);
  if (mode.id === FieldColorModeId.Thresholds) {
    const steps = withMode.config.thresholds?.steps?.length
      ? [...withMode.config.thresholds.steps].sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity))
      : [{ value: -Infinity, color: 'green' }];
    return {
      kind: 'steps',
      lut: lutOf(steps.map((s) => theme.visualization.getColorByName(s.color))),
      starts: steps.map((s, i) => (i === 0 || s.value === null ? -Infinity : s.value)),
      percent: withMode.config.thresholds?.mode === ThresholdsMode.Percentage,
    };
  }
  const calculate = mode.getCalculator(withMode, theme);
  return { kind: 'continuous', lut: lutOf(Array.from({ length: 256 }, (_, i) => calculate(0, i / 255))) };
}

/** Blue-white-red around zero, for the matrix's asymmetry (a difference, not the field's value). */
export function divergingPalette(): Palette {
  const stops: Array<[number, number, number]> = [
    [33, 102, 172],
    [146, 197, 222],
    [240, 240, 240],
    [244, 165, 130],
    [178, 24, 43],
  ];
  const lut = new Uint8ClampedArray(256 * 4);
  const segments = stops.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(t));
    const f = t - k;
    const [a, b] = [stops[k]!, stops[k + 1]!];
    lut.set([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, 255], i * 4);
  }
  return { kind: 'continuous', lut };
}

/** Domain of finite values, widened when every value is the same (so the scale stays usable). */
export function finiteExtent(values: ArrayLike<number>): [number, number] | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Infinity) return undefined;
  return min === max ? [min - (Math.abs(min) * 0.1 || 1), max + (Math.abs(max) * 0.1 || 1)] : [min, max];
}

/**
 * The colour domain of a field: its standard min/max where set, else the extent of the values
 * drawn (Grafana's own auto range would span every numeric field of the query, sample counts too).
 */
export function fieldDomain(field: Field, values: ArrayLike<number>): [number, number] {
  const extent = finiteExtent(values) ?? [0, 1];
  const min = typeof field.config.min === 'number' ? field.config.min : extent[0];
  const max = typeof field.config.max === 'number' ? field.config.max : extent[1];
  return min < max ? [min, max] : [min, min + 1];
}

/** The scale a panel colours a field's values with: its palette over its domain. */
export function fieldColourScale(
  field: Field,
  theme: GrafanaTheme2,
  values: ArrayLike<number>,
  log = false,
): ColourScale {
  const [min, max] = fieldDomain(field, values);
  return new ColourScale(fieldPalette(field, theme), min, max, log && min > 0);
}
