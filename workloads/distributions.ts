import { z } from 'zod';
import type { Rng } from '../policies/types.js';
import { loadEmpiricalValues, resolveDataPath } from './empirical.js';
import { zipfMoments, zipfSampler } from './zipf.js';
import { MAX_TOKENS } from './bounds.js';

const nonNeg = z.number().nonnegative();

/**
 * A length or duration distribution. A bare number is a constant. Truncated ones resample
 * out-of-range draws (up to 64 times, then clamp) so the mean stays close to the stated one.
 * `zipf` draws integers in [min, max] with P(min + k − 1) ∝ k^−s; `empirical` resamples the
 * values of a list or a file (one number per line, or a CSV `column`), path relative to the
 * scenario file.
 */
export const distributionSchema = z.union([
  nonNeg,
  z.discriminatedUnion('dist', [
    z.strictObject({ dist: z.literal('constant'), value: nonNeg }),
    z.strictObject({ dist: z.literal('uniform'), min: nonNeg, max: nonNeg }),
    z.strictObject({ dist: z.literal('normal'), mean: nonNeg, std: nonNeg, min: nonNeg.optional(), max: nonNeg.optional() }),
    z.strictObject({ dist: z.literal('lognormal'), mean: z.number().positive(), std: nonNeg, max: nonNeg.optional() }),
    z.strictObject({ dist: z.literal('exponential'), mean: nonNeg, max: nonNeg.optional() }),
    z.strictObject({ dist: z.literal('zipf'), s: z.number().positive(), min: z.int().nonnegative().default(1), max: z.int().nonnegative() }),
    z.strictObject({
      dist: z.literal('empirical'),
      values: z.array(nonNeg).min(1).optional(),
      file: z.string().min(1).optional(),
      column: z.string().min(1).optional(),
    }),
  ]),
]).check((ctx) => {
  const v = ctx.value;
  if (typeof v !== 'object') return;
  const issue = (message: string, key: string): void => {
    ctx.issues.push({ code: 'custom', input: v, message, path: [key] });
  };
  if (v.dist === 'uniform' && v.min > v.max) issue(`expected min <= max, found min ${v.min} > max ${v.max}`, 'min');
  if (v.dist === 'zipf') {
    if (v.min > v.max) issue(`expected min <= max, found min ${v.min} > max ${v.max}`, 'min');
    else if (v.max - v.min + 1 > 1e7) issue(`expected at most 10,000,000 values (max - min + 1), found ${v.max - v.min + 1}`, 'max');
  }
  if (v.dist === 'empirical') {
    if ((v.values === undefined) === (v.file === undefined)) issue('expected exactly one of `values` (a list) or `file` (a path)', 'values');
    if (v.column !== undefined && v.file === undefined) issue('`column` needs `file`', 'column');
  }
});

/**
 * A token-count distribution: a distribution whose stated values (a constant, a max, a mean when
 * there is no max, a listed value) are at most {@link MAX_TOKENS}. Unbounded tails are cut at
 * MAX_TOKENS by {@link drawTokens}.
 */
export const tokensSchema = distributionSchema.check((ctx) => {
  const v = ctx.value;
  const stated: [string | undefined, number][] = typeof v === 'number' ? [[undefined, v]]
    : v.dist === 'constant' ? [['value', v.value]]
      : v.dist === 'uniform' || v.dist === 'zipf' ? [['max', v.max]]
        : v.dist === 'empirical' ? (v.values ?? []).map((x, i) => [`values.${i}`, x] as [string, number])
          : [[v.max !== undefined ? 'max' : 'mean', v.max ?? v.mean]];
  for (const [key, x] of stated) {
    if (x > MAX_TOKENS) {
      const path = key === undefined ? [] : key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
      ctx.issues.push({ code: 'custom', input: x, path, message: `expected at most ${MAX_TOKENS.toLocaleString('en-US')} tokens, found ${x}` });
      return;
    }
  }
});

/** A distribution as written in a scenario. */
export type DistributionSpec = z.infer<typeof distributionSchema>;

/** Draws one value from a seeded stream. */
export type Sampler = (rng: Rng) => number;

/** Where data files named by a spec live (the scenario's folder). */
export interface DataOptions {
  readonly baseDir?: string | undefined;
}

/** Standard normal draw (Box–Muller; two uniforms per draw keeps streams position-independent). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng.float(); // (0, 1]
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Gamma(shape, scale = 1) draw: Marsaglia and Tsang, "A simple method for generating gamma
 * variables", ACM TOMS 26(3), 2000; shape < 1 by the boost Gamma(a) = Gamma(a + 1)·U^(1/a).
 */
export function standardGamma(rng: Rng, shape: number): number {
  if (shape < 1) return standardGamma(rng, shape + 1) * Math.pow(1 - rng.float(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.float();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function truncated(draw: Sampler, min: number, max: number): Sampler {
  return (rng) => {
    for (let i = 0; i < 64; i++) {
      const x = draw(rng);
      if (x >= min && x <= max) return x;
    }
    return Math.min(max, Math.max(min, draw(rng)));
  };
}

type EmpiricalSpec = Extract<DistributionSpec, { dist: 'empirical' }>;

function empiricalValues(spec: EmpiricalSpec, opts: DataOptions): Float64Array {
  if (spec.values) return Float64Array.from(spec.values);
  return loadEmpiricalValues(resolveDataPath(spec.file!, opts.baseDir), spec.column);
}

/** Build a sampler for a distribution spec. */
export function makeSampler(spec: DistributionSpec, opts: DataOptions = {}): Sampler {
  if (typeof spec === 'number') return () => spec;
  switch (spec.dist) {
    case 'constant':
      return () => spec.value;
    case 'uniform':
      return (rng) => spec.min + (spec.max - spec.min) * rng.float();
    case 'normal':
      return truncated((rng) => spec.mean + spec.std * standardNormal(rng), spec.min ?? 0, spec.max ?? Infinity);
    case 'lognormal': {
      // Parameterised by the distribution's own mean and std: σ² = ln(1 + s²/m²), μ = ln m − σ²/2.
      const s2 = Math.log(1 + (spec.std * spec.std) / (spec.mean * spec.mean));
      const mu = Math.log(spec.mean) - s2 / 2;
      const sigma = Math.sqrt(s2);
      return truncated((rng) => Math.exp(mu + sigma * standardNormal(rng)), 0, spec.max ?? Infinity);
    }
    case 'exponential':
      return truncated((rng) => -spec.mean * Math.log(1 - rng.float()), 0, spec.max ?? Infinity);
    case 'zipf': {
      const draw = zipfSampler(spec.max - spec.min + 1, spec.s);
      return (rng) => spec.min - 1 + draw(rng);
    }
    case 'empirical': {
      const values = empiricalValues(spec, opts);
      return (rng) => values[rng.int(values.length)]!;
    }
  }
}

/** The stated mean of a distribution (before truncation), for previews, hints and checks. */
export function nominalMean(spec: DistributionSpec, opts: DataOptions = {}): number {
  if (typeof spec === 'number') return spec;
  switch (spec.dist) {
    case 'constant':
      return spec.value;
    case 'uniform':
      return (spec.min + spec.max) / 2;
    case 'normal':
    case 'lognormal':
    case 'exponential':
      return spec.mean;
    case 'zipf':
      return spec.min - 1 + zipfMoments(spec.max - spec.min + 1, spec.s).mean;
    case 'empirical': {
      const values = empiricalValues(spec, opts);
      let sum = 0;
      for (const v of values) sum += v;
      return sum / values.length;
    }
  }
}

/** A token count: a draw rounded to an integer, at least `min`, at most {@link MAX_TOKENS} (README "Limits, outputs and hostile input"). */
export function drawTokens(sampler: Sampler, rng: Rng, min = 0): number {
  return Math.min(MAX_TOKENS, Math.max(min, Math.round(sampler(rng))));
}
