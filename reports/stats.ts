/**
 * How percentiles are taken: `linear` interpolates between the closest ranks (numpy's default,
 * Hyndman–Fan type 7); `nearest-rank` returns an observed value, the smallest with at least p%
 * of the values at or below it (type 1).
 *
 * Hand-written on purpose: simple-statistics' `quantile` picks an order statistic (or the mean
 * of two) instead of interpolating, so its p99 of 150 workflows would differ from numpy's and
 * from every committed baseline. The means here skip non-finite values and return NaN for an
 * empty set, where simple-statistics' `mean` throws; the gate's statistics use simple-statistics.
 */
export type PercentileMethod = 'linear' | 'nearest-rank';

/** What reports say about a method. */
export const PERCENTILE_METHOD_TEXT: Record<PercentileMethod, string> = {
  linear: 'linear interpolation between closest ranks (numpy default, type 7)',
  'nearest-rank': 'nearest rank: an observed value, the smallest with at least p% at or below it (type 1)',
};

/**
 * Percentile (linear by default) over the finite values; NaN for an empty set. Sorts a copy.
 */
export function percentile(values: ArrayLike<number>, p: number, method: PercentileMethod = 'linear'): number {
  return percentiles(values, [p], method)[0]!;
}

/** Several percentiles with one sort. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[], method: PercentileMethod = 'linear'): number[] {
  // The finite values straight into a typed array (a 1M-call run's columns are a million long:
  // no growing JS array, no second copy).
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite[n++] = v;
  }
  const sorted = finite.subarray(0, n).sort();
  return ps.map((p) => quantileSorted(sorted, p / 100, method));
}

/** Quantile q ∈ [0,1] of sorted values (type 7, or type 1 for `nearest-rank`). */
export function quantileSorted(sorted: ArrayLike<number>, q: number, method: PercentileMethod = 'linear'): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (method === 'nearest-rank') return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Arithmetic mean of the finite values, NaN when none. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** Coefficient of variation (population std / mean); 0 for a constant set, NaN when empty. */
export function coefficientOfVariation(values: ArrayLike<number>): number {
  const m = mean(values);
  if (!Number.isFinite(m)) return NaN;
  if (m === 0) return 0;
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      s += (v - m) ** 2;
      n++;
    }
  }
  return Math.sqrt(s / n) / m;
}

/** Round to `digits` significant decimals for stable, readable JSON (NaN stays NaN). */
export function roundTo(x: number, digits = 6): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
