import { describe, expect, it } from 'vitest';
import { erfc, mannWhitneyU } from './mann-whitney.js';

// Reference values from scipy 1.17.1 (scipy.stats.mannwhitneyu) and, for the exact test with
// ties, from enumerating all C(11,6) = 462 splits of the pooled mid-ranks.
describe('mannWhitneyU', () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it('matches scipy exact two-sided (scipy docs example)', () => {
    const r = mannWhitneyU(males, females, 'two-sided', 'exact');
    expect(r.u).toBe(17);
    expect(r.pValue).toBeCloseTo(0.1111111111111111, 12);
    expect(r.method).toBe('exact');
  });

  it('matches scipy asymptotic two-sided (continuity-corrected)', () => {
    const r = mannWhitneyU(males, females, 'two-sided', 'asymptotic');
    expect(r.u).toBe(17);
    expect(r.pValue).toBeCloseTo(0.11134688653314041, 6);
  });

  it('gives the smallest one-sided p for fully separated samples of 5 (1/252)', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 'less');
    expect(r.u).toBe(0);
    expect(r.pValue).toBeCloseTo(1 / 252, 12);
    expect(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], 'greater').pValue).toBeCloseTo(1 / 252, 12);
    expect(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], 'less').pValue).toBe(1);
  });

  it('is exact with ties (mid-ranks), against enumeration', () => {
    const x = [3, 3, 4, 5, 5, 6];
    const y = [1, 2, 2, 3, 4];
    const r = mannWhitneyU(x, y, 'greater');
    expect(r.u).toBe(26.5);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(11 / 462, 12);
    expect(mannWhitneyU(x, y, 'two-sided').pValue).toBeCloseTo(22 / 462, 12);
  });

  it('matches scipy asymptotic with ties', () => {
    const r = mannWhitneyU([3, 3, 4, 5, 5, 6], [1, 2, 2, 3, 4], 'greater', 'asymptotic');
    expect(r.pValue).toBeCloseTo(0.02062293980525838, 6);
  });

  it('matches scipy asymptotic on larger samples and picks it above 50 values', () => {
    const x = Array.from({ length: 30 }, (_, i) => 2 * i);
    const y = Array.from({ length: 17 }, (_, i) => 1 + 3 * i);
    const r = mannWhitneyU(x, y, 'greater', 'asymptotic');
    expect(r.u).toBe(289);
    expect(r.pValue).toBeCloseTo(0.22908182252993897, 6);
    expect(mannWhitneyU(x, y, 'two-sided', 'asymptotic').pValue).toBeCloseTo(0.45816364505987794, 6);
    const big = Array.from({ length: 40 }, (_, i) => i);
    expect(mannWhitneyU(big, big.map((v) => v + 0.5), 'less').method).toBe('asymptotic');
  });

  it('gives p = 1 for identical samples (a deterministic rerun) and for empty input', () => {
    expect(mannWhitneyU([5, 5, 5, 5, 5], [5, 5, 5, 5, 5], 'greater').pValue).toBe(1);
    expect(mannWhitneyU([], [1, 2], 'greater').pValue).toBe(1);
    expect(mannWhitneyU([NaN, 1, 2], [1, 2], 'two-sided').pValue).toBe(1);
  });

  it('erfc is accurate to 1e-7', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 7);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 7);
    expect(erfc(3)).toBeCloseTo(2.209049699858544e-05, 9);
  });

  it('one-sided normal approximation both ways, against scipy (asymptotic): evens 2..52 vs odds 1..49', () => {
    // n1 = 26, n2 = 25 (51 > 50: asymptotic). U(x) = Σ over x = 2k of the odd y below it: 1 + … + 25, plus 25 for x = 52 = 350.
    // μ = 26·25/2 = 325, σ = √(26·25/12 · 52) = 53.0723 (no ties). less: sf((325 − 350 − 0.5)/σ) = 0.684556;
    // greater: sf((350 − 325 − 0.5)/σ) = 0.322172; two-sided: 2·sf((25 − 0.5)/σ) = 0.644343
    // (scipy.stats.mannwhitneyu(x, y, alternative, method='asymptotic')).
    const x = Array.from({ length: 26 }, (_, i) => 2 * i + 2);
    const y = Array.from({ length: 25 }, (_, i) => 2 * i + 1);
    const less = mannWhitneyU(x, y, 'less');
    expect([less.u, less.method]).toEqual([350, 'asymptotic']);
    expect(less.pValue).toBeCloseTo(0.6845558141328316, 6);
    expect(mannWhitneyU(x, y, 'greater').pValue).toBeCloseTo(0.32217168701319854, 6);
    expect(mannWhitneyU(x, y, 'two-sided').pValue).toBeCloseTo(0.6443433740263971, 6);
  });

  it('is exact up to 50 pooled values and asymptotic from 51', () => {
    const v = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
    expect(mannWhitneyU(v(25, 0), v(25, 100), 'less').method).toBe('exact');
    expect(mannWhitneyU(v(25, 0), v(26, 100), 'less').method).toBe('asymptotic');
    expect(mannWhitneyU(v(30, 0), v(30, 100), 'less', 'exact').method).toBe('exact');
    expect(mannWhitneyU(v(2, 0), v(2, 100), 'less', 'asymptotic').method).toBe('asymptotic');
  });

  it('drops non-finite values, and gives p = 1 when either side is empty', () => {
    // [1, 2] vs [3, 4]: U = 0, the smallest of C(4, 2) = 6 equally likely rank sets: P(U ≤ 0) = 1/6.
    expect(mannWhitneyU([NaN, 1, 2], [3, Infinity, 4], 'less')).toEqual({ u: 0, pValue: 1 / 6, method: 'exact' });
    expect(mannWhitneyU([1, 2], [NaN], 'less')).toEqual({ u: NaN, pValue: 1, method: 'exact' });
    expect(mannWhitneyU([], [1, 2], 'greater')).toEqual({ u: NaN, pValue: 1, method: 'exact' });
  });

  it('an all-tied pooled sample has no spread: p = 1 (asymptotic)', () => {
    expect(mannWhitneyU(Array(30).fill(5), Array(30).fill(5), 'less').pValue).toBe(1);
  });

  it('erfc is 2 − erfc(−x) for negative x', () => {
    expect(erfc(0)).toBeCloseTo(1, 6);
    expect(erfc(-1) + erfc(1)).toBeCloseTo(2, 12);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 6); // 2 − erfc(1) = 2 − 0.157299
  });
});

