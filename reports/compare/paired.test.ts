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

  it('collapses for identical values and needs two', () => {
    expect(bootstrapMedianCi([4, 4, 4])).toEqual([4, 4]);
    expect(bootstrapMedianCi([4])).toBeNull();
  });
});
