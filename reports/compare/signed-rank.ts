import type { Alternative } from './mann-whitney.js';
import { doubledMidRanks } from './ranks.js';

/** Result of a Wilcoxon signed-rank test on paired differences. */
export interface SignedRankResult {
  /** W+: the sum of the (mid-)ranks of |d| over the positive differences. */
  readonly wPlus: number;
  /** Non-zero differences the test ranked (zero differences are dropped). */
  readonly n: number;
  readonly pValue: number;
}

/**
 * Exact Wilcoxon signed-rank test (Wilcoxon 1945, "Individual comparisons by ranking methods")
 * on paired differences d = x − y. Zero differences are dropped (Wilcoxon's own rule, scipy
 * `zero_method="wilcox"`); tied |d| get mid-ranks and the null distribution is the exact
 * conditional one over those mid-ranks: under H0 each rank's sign is + or − with probability
 * 1/2, independently, so all 2^n sign patterns are equally likely. With no ties this is scipy
 * `wilcoxon(method="exact")`. 'greater' tests whether x tends to exceed y.
 *
 * With n pairs all in one direction the one-sided p is 1/2^n: 5 seeds → 1/32 ≈ 0.031.
 *
 * simple-statistics 7.12 has a rank-sum statistic (wilcoxonRankSum) but no signed-rank test
 * and no p-values for either, hence this hand-written one. Counts are Float64 (exact integers
 * up to n ≈ 50 pairs; beyond that the ratio stays accurate to ~1e-15 relative).
 */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[], alternative: Alternative): SignedRankResult {
  if (x.length !== y.length) throw new RangeError(`wilcoxonSignedRank: ${x.length} vs ${y.length} values; pairs need equal lengths`);
  const d: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - y[i]!;
    if (Number.isFinite(v) && v !== 0) d.push(v);
  }
  const n = d.length;
  if (n === 0) return { wPlus: 0, n: 0, pValue: 1 };
  const ranks2 = doubledMidRanks(d.map(Math.abs)); // 2 × mid-rank: always an integer
  let observed = 0;
  for (let i = 0; i < n; i++) if (d[i]! > 0) observed += ranks2[i]!;
  const total = ranks2.reduce((s, r) => s + r, 0);
  // ways[s]: sign patterns whose positive ranks sum (doubled) to s.
  const ways = new Float64Array(total + 1);
  ways[0] = 1;
  for (const r of ranks2) for (let s = total; s >= r; s--) ways[s]! += ways[s - r]!;
  let ge = 0;
  let le = 0;
  let all = 0;
  for (let s = 0; s <= total; s++) {
    const w = ways[s]!;
    all += w;
    if (s >= observed) ge += w;
    if (s <= observed) le += w;
  }
  const pValue = alternative === 'greater' ? ge / all : alternative === 'less' ? le / all : Math.min(1, (2 * Math.min(ge, le)) / all);
  return { wPlus: observed / 2, n, pValue };
}
