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
});
