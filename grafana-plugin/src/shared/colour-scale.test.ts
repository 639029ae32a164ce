// Expected colours are Grafana's dark-theme named colours written out by hand (green #73BF69,
// yellow #FADE2A, red #F2495C, orange #FF9830), not values taken from the code under test.
import { createTheme, FieldColorModeId, FieldType, ThresholdsMode, type Field, type FieldConfig } from '@grafana/data';
import { describe, expect, it } from 'vitest';
import { divergingPalette, ColourScale, fieldColourScale, finiteExtent } from './colour-scale';

const theme = createTheme({ colors: { mode: 'dark' } });
const field = (config: FieldConfig): Field => ({ name: 'value', type: FieldType.number, config, values: [] });

describe('colour scale from the field’s standard options', () => {
  it('runs the continuous green-yellow-red scheme over the data’s range by default, clamped outside it', () => {
    const scale = fieldColourScale(field({}), theme, [10, 30, 50]);
    expect([scale.min, scale.max]).toEqual([10, 50]);
    expect(scale.css(10)).toBe('rgb(115, 191, 105)');
    expect(scale.css(50)).toBe('rgb(242, 73, 92)');
    expect(scale.css(-5)).toBe('rgb(115, 191, 105)');
    expect(scale.css(1e9)).toBe('rgb(242, 73, 92)');
    // d3's basis spline through the three colours at the middle: (green + 4 × yellow + red) / 6
    // = (226, 192, 61); the 256-entry table holds the colour at 128/255, within 2 of it.
    const [r, g, b] = /rgb\((\d+), (\d+), (\d+)\)/.exec(scale.css(30))!.slice(1).map(Number);
    expect(Math.abs(r! - 226) + Math.abs(g! - 192) + Math.abs(b! - 61)).toBeLessThanOrEqual(4);
  });

  it('takes min and max from the standard options when set', () => {
    const scale = fieldColourScale(field({ min: 0, max: 100 }), theme, [10, 30, 50]);
    expect([scale.min, scale.max]).toEqual([0, 100]);
    expect(scale.css(100)).toBe('rgb(242, 73, 92)');
  });

  it('colours by thresholds, absolute and percentage steps', () => {
    const steps = [
      { value: -Infinity, color: 'green' },
      { value: 25, color: 'orange' },
      { value: 45, color: 'red' },
    ];
    const absolute = fieldColourScale(
      field({ color: { mode: FieldColorModeId.Thresholds }, thresholds: { mode: ThresholdsMode.Absolute, steps } }),
      theme,
      [10, 50],
    );
    expect([10, 24.9, 25, 44, 45, 50].map((v) => absolute.css(v))).toEqual([
      'rgb(115, 191, 105)',
      'rgb(115, 191, 105)',
      'rgb(255, 152, 48)',
      'rgb(255, 152, 48)',
      'rgb(242, 73, 92)',
      'rgb(242, 73, 92)',
    ]);
    // Percentage steps of the domain 0…200: 25 % = 50, 45 % = 90.
    const percent = fieldColourScale(
      field({
        min: 0,
        max: 200,
        color: { mode: FieldColorModeId.Thresholds },
        thresholds: { mode: ThresholdsMode.Percentage, steps },
      }),
      theme,
      [],
    );
    expect([49, 50, 89, 90].map((v) => percent.css(v))).toEqual([
      'rgb(115, 191, 105)',
      'rgb(255, 152, 48)',
      'rgb(255, 152, 48)',
      'rgb(242, 73, 92)',
    ]);
  });

  it('gives one colour everywhere for a single-colour scheme', () => {
    const scale = fieldColourScale(
      field({ color: { mode: FieldColorModeId.Fixed, fixedColor: 'red' } }),
      theme,
      [1, 9],
    );
    expect(new Set([1, 5, 9].map((v) => scale.css(v)))).toEqual(new Set(['rgb(242, 73, 92)']));
  });

  it('spaces a log scale by decades, ticks included', () => {
    const scale = fieldColourScale(field({}), theme, [1, 1000], true);
    expect(scale.index(10)).toBe(85); // a third of the way: round(255 / 3)
    expect(scale.ticks(4).map((t) => Math.round(t))).toEqual([1, 10, 100, 1000]);
  });

  it('centres the diverging asymmetry scale on near-white', () => {
    const [r, g, b] = /rgb\((\d+), (\d+), (\d+)\)/
      .exec(new ColourScale(divergingPalette(), -10, 10).css(0))!
      .slice(1)
      .map(Number);
    for (const channel of [r, g, b]) expect(channel).toBeGreaterThanOrEqual(235);
  });
});

describe('finiteExtent', () => {
  it('ignores NaN and widens a single value so a scale still has room', () => {
    expect(finiteExtent([NaN, 3, 1, Infinity])).toEqual([1, 3]);
    expect(finiteExtent([5, 5])).toEqual([4.5, 5.5]);
    expect(finiteExtent([NaN])).toBeUndefined();
  });
});
