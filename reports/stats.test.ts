import { describe, expect, test } from 'vitest';
import { percentile, percentiles } from './stats.js';

describe('percentile methods', () => {
  const v = [10, 20, 30, 40]; // n = 4

  test('linear (type 7): h = (n − 1) q, interpolate', () => {
    // p50: h = 1.5 → 20 + 0.5 × 10 = 25; p99: h = 2.97 → 30 + 0.97 × 10 = 39.7.
    expect(percentiles(v, [50, 99])).toEqual([25, expect.closeTo(39.7, 9)]);
    expect(percentile(v, 0)).toBe(10);
  });

  test('nearest rank (type 1): the ⌈q n⌉-th smallest value, always an observed one', () => {
    // p50: ⌈2⌉ = 2nd = 20; p51: ⌈2.04⌉ = 3rd = 30; p99: ⌈3.96⌉ = 4th = 40; p0: the smallest.
    expect(percentiles(v, [50, 51, 99, 0], 'nearest-rank')).toEqual([20, 30, 40, 10]);
    expect(percentile([7], 99, 'nearest-rank')).toBe(7);
    expect(percentile([], 50, 'nearest-rank')).toBeNaN();
  });


});
