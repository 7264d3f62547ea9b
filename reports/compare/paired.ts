import { median, quantile, sampleWithReplacement } from 'simple-statistics';
import { SeededRng } from '../../policies/rng.js';
import { relativePct } from './relative.js';

/** One metric of one (workload, policy) paired by seed: the same seed ran the same workflows on both sides. */
export interface PairedChange {
  readonly seeds: readonly number[];
  readonly base: readonly number[];
  readonly cand: readonly number[];
  /** Per-seed change, candidate vs baseline, in percent (±Infinity from a zero baseline). */
  readonly changesPct: readonly number[];
  /** Median of the per-seed changes: the effect size the limit is held against. */
  readonly medianPct: number;
  /** 95% percentile-bootstrap interval of that median (finite changes only; null with < 2). */
  readonly ciPct: readonly [number, number] | null;
}

/** Resamples of the bootstrap interval: enough that its ends move < 0.1 point between seeds of the resampler. */
export const BOOTSTRAP_RESAMPLES = 2000;

/**
 * Pair two sides' per-seed values by seed (seeds on one side only, or with a non-finite value
 * on either side, are left out) and summarise the per-seed changes.
 */
export function pairBySeed(base: ReadonlyMap<number, number>, cand: ReadonlyMap<number, number>): PairedChange {
  const seeds = [...cand.keys()].filter((s) => Number.isFinite(base.get(s)) && Number.isFinite(cand.get(s))).sort((a, b) => a - b);
  const b = seeds.map((s) => base.get(s)!);
  const c = seeds.map((s) => cand.get(s)!);
  const changesPct = seeds.map((_, i) => relativePct(c[i]!, b[i]!));
  const finite = changesPct.filter(Number.isFinite);
  const medianPct = changesPct.length === 0 ? NaN : finite.length === changesPct.length ? median(finite) : medianWithInfinity(changesPct);
  return { seeds, base: b, cand: c, changesPct, medianPct, ciPct: bootstrapMedianCi(finite) };
}

/**
 * Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) 95% interval of the median:
 * BOOTSTRAP_RESAMPLES resamples with replacement (simple-statistics' sampleWithReplacement)
 * drawn from a fixed seed, so the same data give the same interval in every run.
 */
export function bootstrapMedianCi(values: readonly number[], level = 0.95): readonly [number, number] | null {
  if (values.length < 2) return null;
  const rng = new SeededRng('gate-bootstrap');
  const draw = (): number => rng.float();
  const medians: number[] = [];
  for (let i = 0; i < BOOTSTRAP_RESAMPLES; i++) medians.push(median(sampleWithReplacement([...values], values.length, draw)));
  const tail = (1 - level) / 2;
  return [quantile(medians, tail), quantile(medians, 1 - tail)];
}

// simple-statistics' median sorts numerically and averages the middle two, which is undefined
// for +∞ + −∞; a zero baseline gives an infinite change that must still order correctly.
function medianWithInfinity(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : v[m - 1] === v[m] ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
