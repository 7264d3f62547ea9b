import { describe, expect, test } from 'vitest';
import { coefficientOfVariation, mean, PERCENTILE_METHOD_TEXT, percentile, percentiles, quantileSorted, roundTo } from './stats.js';

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

  test('numpy goldens: unsorted input, p100, non-integer ranks (numpy.percentile, default method)', () => {
    // numpy.percentile([3, 1, 4, 1, 5], [25, 50, 90, 100]) = [1, 3, 4.6, 5]: sorted [1, 1, 3, 4, 5],
    // h = 4q: p25 h 1 → 1; p50 h 2 → 3; p90 h 3.6 → 4 + 0.6 × 1 = 4.6; p100 h 4 → 5 (no element past the last).
    expect(percentiles([3, 1, 4, 1, 5], [25, 50, 90, 100])).toEqual([1, 3, expect.closeTo(4.6, 12), 5]);
    // numpy.percentile([2.5, 7, 1], [33, 99]) = [1.99, 6.91]: sorted [1, 2.5, 7]; p33 h 0.66 → 1 + 0.66 × 1.5;
    // p99 h 1.98 → 2.5 + 0.98 × 4.5.
    expect(percentiles([2.5, 7, 1], [33, 99])).toEqual([expect.closeTo(1.99, 12), expect.closeTo(6.91, 12)]);
    expect(percentile([], 50)).toBeNaN();
  });

  test('non-finite values are left out (NaN would sort last and shift every rank)', () => {
    // [1, 3] after dropping NaN and Infinity: p50 = 2, p100 = 3 (kept, they would shift the ranks: p50 of [1, 3, ∞, NaN] would be ∞).
    expect(percentiles([NaN, 3, Infinity, 1], [50, 100])).toEqual([2, 3]);
    expect(percentile(new Float64Array([NaN, 8, 2]), 50, 'nearest-rank')).toBe(2);
  });

  test('quantileSorted reads already sorted values', () => {
    expect(quantileSorted([1, 2, 4], 0.75)).toBe(3); // h = 1.5 → 2 + 0.5 × 2
    expect(quantileSorted([1, 2, 4], 0.75, 'nearest-rank')).toBe(4); // ⌈2.25⌉ = 3rd
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  test('the methods as reports describe them', () => {
    expect(PERCENTILE_METHOD_TEXT).toEqual({
      linear: 'linear interpolation between closest ranks (numpy default, type 7)',
      'nearest-rank': 'nearest rank: an observed value, the smallest with at least p% at or below it (type 1)',
    });
  });
});

describe('mean, coefficient of variation, rounding', () => {
  test('mean skips non-finite values; NaN when none is left', () => {
    expect(mean([1, NaN, 3, -Infinity])).toBe(2);
    expect(mean([])).toBeNaN();
    expect(mean([NaN])).toBeNaN();
  });

  test('coefficient of variation: population std / mean over the finite values', () => {
    // [1, 3]: mean 2, deviations ±1, population std 1 → 0.5. [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, std 2 → 0.4.
    expect(coefficientOfVariation([1, NaN, 3])).toBe(0.5);
    expect(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9])).toBe(0.4);
    expect(coefficientOfVariation([5, 5, 5])).toBe(0);
    // Mean 0 (e.g. [−1, 1]): 0 by definition here, not ±Infinity.
    expect(coefficientOfVariation([-1, 1])).toBe(0);
    expect(coefficientOfVariation([])).toBeNaN();
  });

  test('roundTo rounds to the given decimals and leaves non-finite values alone', () => {
    expect(roundTo(1 / 3)).toBe(0.333333);
    expect(roundTo(2 / 3, 2)).toBe(0.67);
    expect(roundTo(-1.23456789, 4)).toBe(-1.2346);
    expect(roundTo(NaN)).toBeNaN();
    expect(roundTo(-Infinity)).toBe(-Infinity);
  });
});
