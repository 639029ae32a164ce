// The order statistics every test bound and benchmark table uses (testbed/src/stats.ts).
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../src/index.js';

describe('median and quantile', () => {
  it('takes the middle value, or the mean of the two middle ones, whatever the input order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('takes quantiles by nearest rank (a measured value), the largest for q = 1', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 0.5)).toBe(51);
    expect(quantile(values, 0.99)).toBe(100);
    expect(quantile(values, 1)).toBe(100);
  });

  it('refuses an empty measurement instead of returning undefined', () => {
    expect(() => median([])).toThrow(/median of no values/);
    expect(() => quantile([], 0.9)).toThrow(/0\.9 quantile of no values/);
  });
});
