import { describe, expect, it } from 'vitest';
import { wilcoxonSignedRank } from './signed-rank.js';
import { relativePct } from './relative.js';

// Hand-computed from the 2^n equally likely sign patterns of the ranks.
describe('wilcoxonSignedRank (exact)', () => {
  it('5 of 5 pairs in one direction: one-sided p = 1/32', () => {
    // d = 1..5, all positive: W+ = 15, the single largest of the 32 patterns.
    const r = wilcoxonSignedRank([11, 12, 13, 14, 15], [10, 10, 10, 10, 10], 'greater');
    expect(r).toEqual({ wPlus: 15, n: 5, pValue: 1 / 32 });
    expect(wilcoxonSignedRank([11, 12, 13, 14, 15], [10, 10, 10, 10, 10], 'less').pValue).toBe(1); // W+ ≤ 15 always
    expect(wilcoxonSignedRank([11, 12, 13, 14, 15], [10, 10, 10, 10, 10], 'two-sided').pValue).toBe(2 / 32);
  });

  it('one small difference the other way: p = 2/32', () => {
    // d = −1, 2, 3, 4, 5: W+ = 14; patterns with W+ ≥ 14 are {all} (15) and {all but rank 1} (14).
    const r = wilcoxonSignedRank([9, 12, 13, 14, 15], [10, 10, 10, 10, 10], 'greater');
    expect(r.wPlus).toBe(14);
    expect(r.pValue).toBe(2 / 32);
  });

  it('uses mid-ranks for tied |d| and the exact conditional distribution', () => {
    // d = 1, 1, 2, −2, 3: |d| mid-ranks 1.5, 1.5, 3.5, 3.5, 5 (doubled 3, 3, 7, 7, 10; total 30).
    // W+ doubled = 3 + 3 + 7 + 10 = 23. Patterns with doubled sum ≥ 23 are those whose negative
    // ranks sum to ≤ 7: {}, {3a}, {3b}, {3a,3b}, {7a}, {7b} → 6 of 32.
    const r = wilcoxonSignedRank([1, 1, 2, -2, 3], [0, 0, 0, 0, 0], 'greater');
    expect(r.wPlus).toBe(11.5);
    expect(r.pValue).toBe(6 / 32);
  });

  it('drops zero differences (Wilcoxon): 2 of 5 seeds moved gives p = 1/4', () => {
    // d = 0, 0, 0, −2, −2: n = 2 non-zero, both negative, W+ = 0; P(W+ ≤ 0) = 1/4.
    const r = wilcoxonSignedRank([10, 10, 10, 8, 8], [10, 10, 10, 10, 10], 'less');
    expect(r).toEqual({ wPlus: 0, n: 2, pValue: 1 / 4 });
    expect(wilcoxonSignedRank([1, 2], [1, 2], 'less')).toEqual({ wPlus: 0, n: 0, pValue: 1 });
  });

  it('n = 5 symmetric case: W+ = 8 gives P(W+ ≥ 8) = 16/32', () => {
    // Counts of W+ = 0..15 for n = 5: 1,1,1,2,2,3,3,3,3,3,3,2,2,1,1,1; sum of W+ ≥ 8 = 16.
    // d = 80, −380, 450, −180, 170: ranks 1, 4, 5, 3, 2; W+ = 1 + 5 + 2 = 8.
    const r = wilcoxonSignedRank([1080, 920, 1350, 970, 1120], [1000, 1300, 900, 1150, 950], 'greater');
    expect(r.wPlus).toBe(8);
    expect(r.pValue).toBe(0.5);
  });

  it('drops non-finite differences like zero ones', () => {
    // d = NaN, +2, +∞ − 10 = ∞ (dropped), −1: n = 2 (ranks 2 for +2, 1 for −1), W+ = 2; P(W+ ≥ 2) = 2/4 (sums 2 and 3).
    expect(wilcoxonSignedRank([NaN, 12, Infinity, 9], [10, 10, 10, 10], 'greater')).toEqual({ wPlus: 2, n: 2, pValue: 0.5 });
  });

  it('two-sided p is capped at 1', () => {
    // d = 1, −1: mid-ranks 1.5 each (doubled 3, 3); doubled sums 0, 3, 3, 6 over the 4 patterns;
    // observed 3: P(≥) = 3/4, P(≤) = 3/4, 2 × 3/4 = 1.5 → 1.
    expect(wilcoxonSignedRank([1, -1], [0, 0], 'two-sided')).toEqual({ wPlus: 1.5, n: 2, pValue: 1 });
    // d = 1, −2: W+ = 1; sums 0, 1, 2, 3: P(≥ 1) = 3/4, P(≤ 1) = 2/4 → 2 × 2/4 = 1.
    expect(wilcoxonSignedRank([1, -2], [0, 0], 'less').pValue).toBe(0.5);
  });

  it('refuses unequal lengths', () => {
    expect(() => wilcoxonSignedRank([1], [1, 2], 'less')).toThrow(/pairs need equal lengths/);
  });
});

describe('relativePct', () => {
  it('is the change in percent of |base|, and ±∞ (or 0) from a zero base', () => {
    expect([relativePct(110, 100), relativePct(-90, -100), relativePct(0, 0), relativePct(1, 0), relativePct(-1, 0)]).toEqual([10, 10, 0, Infinity, -Infinity]);
  });
});
