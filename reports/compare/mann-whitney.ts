import { doubledMidRanks } from './ranks.js';

/** Which way the first sample is expected to differ from the second. */
export type Alternative = 'greater' | 'less' | 'two-sided';

/** Result of a Mann–Whitney U test. */
export interface MannWhitneyResult {
  /** U statistic of the first sample (pairs (x, y) with x > y, ties counting one half). */
  readonly u: number;
  readonly pValue: number;
  /** 'exact': the permutation distribution of U over mid-ranks (exact with ties too). */
  readonly method: 'exact' | 'asymptotic';
}

/** Pooled sizes up to this use the exact distribution (C(50,25) < 2^53 keeps counts exact). */
export const EXACT_MAX_N = 50;

/**
 * Two-sample Mann–Whitney U test (Wilcoxon rank-sum). Small samples get the exact permutation
 * distribution of the mid-rank sum — with no ties this is the classical exact test (scipy
 * `method="exact"`); with ties it is the exact conditional test. Larger samples use the normal
 * approximation with tie correction and continuity correction (scipy `method="asymptotic"`).
 * Non-finite values are dropped; an empty sample gives p = 1.
 */
export function mannWhitneyU(
  x: readonly number[], y: readonly number[], alternative: Alternative, method: 'auto' | 'exact' | 'asymptotic' = 'auto',
): MannWhitneyResult {
  const a = x.filter(Number.isFinite);
  const b = y.filter(Number.isFinite);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: NaN, pValue: 1, method: 'exact' };
  const ranks2 = doubledMidRanks([...a, ...b]); // 2 × mid-rank: always an integer
  let r1x2 = 0;
  for (let i = 0; i < n1; i++) r1x2 += ranks2[i]!;
  const u = r1x2 / 2 - (n1 * (n1 + 1)) / 2;
  const useExact = method === 'exact' || (method === 'auto' && n1 + n2 <= EXACT_MAX_N);
  if (useExact) return { u, pValue: exactP(ranks2, n1, r1x2, alternative), method: 'exact' };
  return { u, pValue: asymptoticP(u, n1, n2, ranks2, alternative), method: 'asymptotic' };
}

/**
 * P-value from the exact distribution of the first sample's (doubled) rank sum: the number of
 * size-n1 subsets of the pooled ranks with each sum, by dynamic programming over the ranks.
 */
function exactP(ranks2: readonly number[], n1: number, observed: number, alternative: Alternative): number {
  const maxSum = ranks2.reduce((s, r) => s + r, 0);
  // ways[k][s]: subsets of size k with doubled rank sum s among the ranks seen so far.
  const ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  for (const r of ranks2) {
    for (let k = n1; k >= 1; k--) {
      const to = ways[k]!;
      const from = ways[k - 1]!;
      for (let s = maxSum; s >= r; s--) to[s]! += from[s - r]!;
    }
  }
  const dist = ways[n1]!;
  let total = 0;
  let ge = 0;
  let le = 0;
  for (let s = 0; s <= maxSum; s++) {
    const w = dist[s]!;
    if (w === 0) continue;
    total += w;
    if (s >= observed) ge += w;
    if (s <= observed) le += w;
  }
  if (alternative === 'greater') return ge / total;
  if (alternative === 'less') return le / total;
  return Math.min(1, (2 * Math.min(ge, le)) / total); // scipy's convention
}

/** Normal approximation with tie correction and a 0.5 continuity correction. */
function asymptoticP(u: number, n1: number, n2: number, ranks2: readonly number[], alternative: Alternative): number {
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  // Tie correction: sum over tie groups of (t^3 - t).
  const counts = new Map<number, number>();
  for (const r of ranks2) counts.set(r, (counts.get(r) ?? 0) + 1);
  let tie = 0;
  for (const t of counts.values()) tie += t ** 3 - t;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1))));
  if (sigma === 0) return 1;
  const sf = (z: number): number => 0.5 * erfc(z / Math.SQRT2);
  if (alternative === 'greater') return sf((u - mu - 0.5) / sigma);
  if (alternative === 'less') return sf((mu - u - 0.5) / sigma);
  return Math.min(1, 2 * sf((Math.abs(u - mu) - 0.5) / sigma));
}

/** Complementary error function: Numerical Recipes' `erfcc` Chebyshev fit (fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
    + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
