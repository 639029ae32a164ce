// Value → colour for canvas panels: a 256-entry RGBA lookup table per scale, so colouring 250,000
// cells is one multiply and one array read each (no string colours, no per-cell allocation).

export type ScaleKind = 'sequential' | 'diverging';

/** RGB stops: green-yellow-red for latency (low is good), blue-white-red around zero for asymmetry. */
const stops: Record<ScaleKind, Array<[number, number, number]>> = {
  sequential: [
    [26, 152, 80],
    [166, 217, 106],
    [254, 224, 139],
    [244, 109, 67],
    [165, 0, 38],
  ],
  diverging: [
    [33, 102, 172],
    [146, 197, 222],
    [240, 240, 240],
    [244, 165, 130],
    [178, 24, 43],
  ],
};

/** A continuous colour scale over [min, max] (linear or log10), as a lookup table. */
export class ColourScale {
  readonly lut: Uint8ClampedArray;
  private readonly lo: number;
  private readonly span: number;

  constructor(
    readonly kind: ScaleKind,
    readonly min: number,
    readonly max: number,
    readonly log = false,
  ) {
    this.lut = buildLut(stops[kind]);
    this.lo = this.transform(min);
    const hi = this.transform(max);
    this.span = hi > this.lo ? hi - this.lo : 1;
  }

  private transform(value: number): number {
    return this.log ? Math.log10(Math.max(value, 1e-3)) : value;
  }

  /** LUT index 0…255 of a value (clamped to the domain). */
  index(value: number): number {
    const t = (this.transform(value) - this.lo) / this.span;
    return Math.max(0, Math.min(255, Math.round(t * 255)));
  }

  /** CSS colour of a value. */
  css(value: number): string {
    const i = this.index(value) * 4;
    return `rgb(${this.lut[i]}, ${this.lut[i + 1]}, ${this.lut[i + 2]})`;
  }

  /** CSS linear-gradient from min to max, for the legend bar. */
  gradient(): string {
    const parts: string[] = [];
    for (let k = 0; k <= 8; k++) {
      const i = Math.round((k / 8) * 255) * 4;
      parts.push(`rgb(${this.lut[i]}, ${this.lut[i + 1]}, ${this.lut[i + 2]}) ${(k / 8) * 100}%`);
    }
    return `linear-gradient(to right, ${parts.join(', ')})`;
  }

  /** Values at evenly spaced legend ticks (in the scale's own spacing: log ticks for a log scale). */
  ticks(count = 5): number[] {
    return Array.from({ length: count }, (_, k) => {
      const t = this.lo + (k / (count - 1)) * this.span;
      return this.log ? 10 ** t : t;
    });
  }
}

function buildLut(colourStops: Array<[number, number, number]>): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  const segments = colourStops.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(t));
    const f = t - k;
    const [a, b] = [colourStops[k]!, colourStops[k + 1]!];
    lut[i * 4] = a[0] + (b[0] - a[0]) * f;
    lut[i * 4 + 1] = a[1] + (b[1] - a[1]) * f;
    lut[i * 4 + 2] = a[2] + (b[2] - a[2]) * f;
    lut[i * 4 + 3] = 255;
  }
  return lut;
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

/** Formats a value with its unit for labels and tooltips ("12.3 ms", "4.2 %"). */
export function formatValue(value: number, unit: string | undefined): string {
  if (!Number.isFinite(value)) return 'no data';
  const abs = Math.abs(value);
  const digits = abs >= 100 || value === 0 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toFixed(digits);
  if (unit === 'ms') return `${text} ms`;
  if (unit === 'percent') return `${text} %`;
  return text;
}
