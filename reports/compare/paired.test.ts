import { describe, expect, it } from 'vitest';
import { bootstrapMedianCi, pairBySeed } from './paired.js';

describe('pairBySeed', () => {
  it('pairs by seed number, leaves out seeds on one side only, and takes the median per-seed change', () => {
    const base = new Map([[1, 100], [2, 200], [3, 50], [9, 1]]);
    const cand = new Map([[3, 55], [1, 98], [2, 210], [7, 1]]);
    const p = pairBySeed(base, cand);
    expect(p.seeds).toEqual([1, 2, 3]);
    expect(p.base).toEqual([100, 200, 50]);
    expect(p.cand).toEqual([98, 210, 55]);
    // 98/100 − 1 = −2%, 210/200 − 1 = +5%, 55/50 − 1 = +10%: median +5%.
    expect(p.changesPct.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([-2, 5, 10]);
    expect(p.medianPct).toBeCloseTo(5, 9);
  });

  it('leaves out a seed whose value is not a finite number on either side', () => {
    const p = pairBySeed(new Map([[1, 100], [2, NaN], [3, 50], [4, 10]]), new Map([[1, 110], [2, 20], [3, 60], [4, Infinity]]));
    expect(p.seeds).toEqual([1, 3]);
    // 110/100 − 1 = +10%, 60/50 − 1 = +20%: median +15%.
    expect(p.medianPct).toBeCloseTo(15, 9);
  });

  it('orders an infinite change from a zero baseline', () => {
    const p = pairBySeed(new Map([[1, 0], [2, 10], [3, 10]]), new Map([[1, 1], [2, 11], [3, 12]]));
    expect(p.changesPct[0]).toBe(Infinity);
    expect(p.medianPct).toBeCloseTo(20, 9); // sorted +10%, +20%, +∞
  });
});

describe('pairBySeed with an even number of seeds', () => {
  it('averages the middle two changes, infinite ones included', () => {
    // Changes +10 %, +20 %, +∞, +∞: middle two +20 % and +∞ → +∞.
    expect(pairBySeed(new Map([[1, 10], [2, 10], [3, 0], [4, 0]]), new Map([[1, 11], [2, 12], [3, 1], [4, 2]])).medianPct).toBe(Infinity);
    // Changes −∞, +∞, +∞, −50 % sorted −∞, −50 %, +∞, +∞: middle two −50 % and +∞ → +∞.
    expect(pairBySeed(new Map([[1, 0], [2, 0], [3, 0], [4, 10]]), new Map([[1, -1], [2, 1], [3, 1], [4, 5]])).medianPct).toBe(Infinity);
    // Changes −∞ and +∞: no median (NaN), not an error.
    expect(pairBySeed(new Map([[1, 0], [2, 0]]), new Map([[1, -1], [2, 1]])).medianPct).toBeNaN();
    // Finite, even: −2 % and +4 % → +1 %.
    expect(pairBySeed(new Map([[1, 100], [2, 100]]), new Map([[1, 98], [2, 104]])).medianPct).toBeCloseTo(1, 12);
  });

  it('averages finite middle changes when an infinite one is elsewhere', () => {
    // Changes −∞ (0 → −1), +10 %, +20 %, +20 %: middle two +10 % and +20 % → +15 %.
    expect(pairBySeed(new Map([[1, 0], [2, 10], [3, 10], [4, 10]]), new Map([[1, -1], [2, 11], [3, 12], [4, 12]])).medianPct).toBeCloseTo(15, 12);
  });

  it('the interval covers the finite changes only', () => {
    // Changes +∞, +10 %, +20 %: the bootstrap resamples [10, 20], so the interval stays within them.
    const p = pairBySeed(new Map([[1, 0], [2, 10], [3, 10]]), new Map([[1, 1], [2, 11], [3, 12]]));
    expect(p.ciPct![0]).toBeGreaterThanOrEqual(10 - 1e-9);
    expect(p.ciPct![1]).toBeLessThanOrEqual(20 + 1e-9);
  });

  it('no shared seed: no median and no interval', () => {
    const p = pairBySeed(new Map([[1, 5]]), new Map([[2, 5]]));
    expect([p.seeds, p.medianPct, p.ciPct]).toEqual([[], NaN, null]);
  });
});

describe('bootstrapMedianCi', () => {
  it('is the same on every call (fixed resampler seed) and lies within the data', () => {
    const xs = [-3, -1, 0, 2, 8];
    const a = bootstrapMedianCi(xs)!;
    expect(bootstrapMedianCi(xs)).toEqual(a);
    expect(a[0]).toBeGreaterThanOrEqual(-3);
    expect(a[1]).toBeLessThanOrEqual(8);
    expect(a[0]).toBeLessThan(a[1]);
  });

  it('is the 2.5 % and 97.5 % quantiles of the resampled medians', () => {
    // Resampling 5 of [1, 2, 3, 4, 5]: the median is 1 when ≥ 3 draws are 1:
    // C(5,3)(1/5)³(4/5)² + C(5,4)(1/5)⁴(4/5) + (1/5)⁵ = 0.0512 + 0.0064 + 0.0003 = 5.8 % > 2.5 %, so the
    // 2.5 % quantile is 1 (and the 97.5 % one 5, by symmetry). A 10 %/90 % interval would be [2, 4]:
    // P(median ≤ 2) = P(≥ 3 of 5 draws ≤ 2) = 31.7 %.
    expect(bootstrapMedianCi([1, 2, 3, 4, 5])).toEqual([1, 5]);
    expect(bootstrapMedianCi([3, 1])).not.toBeNull(); // two values are enough
  });

  it('collapses for identical values and needs two', () => {
    expect(bootstrapMedianCi([4, 4, 4])).toEqual([4, 4]);
    expect(bootstrapMedianCi([4])).toBeNull();
  });
});
