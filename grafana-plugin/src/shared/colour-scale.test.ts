import { describe, expect, it } from 'vitest';
import { ColourScale, finiteExtent, formatValue } from './colour-scale';

describe('ColourScale', () => {
  it('runs green to red over the domain and clamps outside it', () => {
    const scale = new ColourScale('sequential', 0, 100);
    expect(scale.index(0)).toBe(0);
    expect(scale.index(100)).toBe(255);
    expect(scale.index(-5)).toBe(0);
    expect(scale.index(1e9)).toBe(255);
    expect(scale.css(0)).toBe('rgb(26, 152, 80)');
    expect(scale.css(100)).toBe('rgb(165, 0, 38)');
  });

  it('spaces a log scale by decades, ticks included', () => {
    const scale = new ColourScale('sequential', 1, 1000, true);
    expect(scale.index(10)).toBe(85);
    expect(scale.ticks(4).map((t) => Math.round(t))).toEqual([1, 10, 100, 1000]);
  });

  it('centres the diverging scale on its middle colour', () => {
    const [r, g, b] = /rgb\((\d+), (\d+), (\d+)\)/
      .exec(new ColourScale('diverging', -10, 10).css(0))!
      .slice(1)
      .map(Number);
    for (const channel of [r, g, b]) expect(channel).toBeGreaterThanOrEqual(235); // near-white, between blue and red
  });
});

describe('finiteExtent and formatValue', () => {
  it('ignores NaN and widens a single value so a scale still has room', () => {
    expect(finiteExtent([NaN, 3, 1, Infinity])).toEqual([1, 3]);
    expect(finiteExtent([5, 5])).toEqual([4.5, 5.5]);
    expect(finiteExtent([NaN])).toBeUndefined();
  });

  it('writes values with their unit and sensible precision', () => {
    expect(formatValue(123.456, 'ms')).toBe('123 ms');
    expect(formatValue(1.23456, 'ms')).toBe('1.23 ms');
    expect(formatValue(0, 'percent')).toBe('0 %');
    expect(formatValue(NaN, 'ms')).toBe('no data');
  });
});
