import { z } from 'zod';
import type { Rng } from '../policies/types.js';

const nonNeg = z.number().nonnegative();

/**
 * A length or duration distribution. A bare number is a constant. Truncated ones resample
 * out-of-range draws (up to 64 times, then clamp) so the mean stays close to the stated one.
 */
export const distributionSchema = z.union([
  nonNeg,
  z.discriminatedUnion('dist', [
    z.strictObject({ dist: z.literal('constant'), value: nonNeg }),
    z.strictObject({ dist: z.literal('uniform'), min: nonNeg, max: nonNeg }),
    z.strictObject({ dist: z.literal('normal'), mean: nonNeg, std: nonNeg, min: nonNeg.optional(), max: nonNeg.optional() }),
    z.strictObject({ dist: z.literal('lognormal'), mean: z.number().positive(), std: nonNeg, max: nonNeg.optional() }),
    z.strictObject({ dist: z.literal('exponential'), mean: nonNeg, max: nonNeg.optional() }),
  ]),
]).check((ctx) => {
  const v = ctx.value;
  if (typeof v === 'object' && v.dist === 'uniform' && v.min > v.max) {
    ctx.issues.push({ code: 'custom', input: v, message: `expected min <= max, found min ${v.min} > max ${v.max}`, path: ['min'] });
  }
});

/** A distribution as written in a scenario. */
export type DistributionSpec = z.infer<typeof distributionSchema>;

/** Draws one value from a seeded stream. */
export type Sampler = (rng: Rng) => number;

/** Standard normal draw (Box–Muller; two uniforms per draw keeps streams position-independent). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng.float(); // (0, 1]
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
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

/** Build a sampler for a distribution spec. */
export function makeSampler(spec: DistributionSpec): Sampler {
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
  }
}

/** The stated mean of a distribution (before truncation), for previews and sanity checks. */
export function nominalMean(spec: DistributionSpec): number {
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
  }
}

/** A token count: a draw rounded to an integer, at least `min`. */
export function drawTokens(sampler: Sampler, rng: Rng, min = 0): number {
  return Math.max(min, Math.round(sampler(rng)));
}
