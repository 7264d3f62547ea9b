import { z } from 'zod';
import type { Rng } from '../policies/types.js';
import { distributionSchema, standardGamma } from './distributions.js';
import { RateSchedule, stageSchema } from './rate-stages.js';

const rate = z.number().positive();
/** vLLM benchmark_serving's burstiness: the gamma shape (1 = Poisson, < 1 burstier, > 1 smoother). */
const burstiness = z.number().positive();

const openLoopVariants = [
  z.strictObject({ kind: z.literal('poisson'), ratePerSec: rate }),
  z.strictObject({ kind: z.literal('constant'), ratePerSec: rate }),
  z.strictObject({ kind: z.literal('gamma'), ratePerSec: rate, burstiness: burstiness.default(1) }),
  /** Rate stages: steps (`ratePerSec`) and linear ramps (`rampToPerSec`); arrivals end with the last stage. */
  z.strictObject({
    kind: z.literal('stages'),
    process: z.enum(['poisson', 'gamma', 'constant']).default('poisson'),
    burstiness: burstiness.default(1),
    stages: z.array(stageSchema).min(1),
  }),
] as const;

/** K workflows in flight; the next starts `thinkTimeMs` after one ends (closed loop). */
const closedLoop = z.strictObject({ kind: z.literal('closed-loop'), concurrency: z.int().positive(), thinkTimeMs: distributionSchema.default(0) });

/** How workflows arrive. */
export const arrivalsSchema = z.discriminatedUnion('kind', [...openLoopVariants, closedLoop]);

/** Open-loop arrivals only (background traffic). */
export const openLoopArrivalsSchema = z.discriminatedUnion('kind', [...openLoopVariants]);

/** An arrival process as written in a scenario. */
export type ArrivalsSpec = z.infer<typeof arrivalsSchema>;
/** The open-loop kinds (everything but closed-loop). */
export type OpenLoopSpec = Exclude<ArrivalsSpec, { kind: 'closed-loop' }>;

/** An open-loop arrival process: the arrival times of one stream, in order. */
export interface ArrivalProcess {
  /** µs of the next arrival (from t = 0), or null when the process has ended (after its last stage). */
  nextUs(rng: Rng): number | null;
}

/**
 * Build an open-loop process. Every kind is a renewal process of unit mean rate in "operational
 * time" mapped through the cumulative rate Λ(t): gaps are Exp(1) for `poisson`, Gamma(b, 1/b)
 * for `gamma` with burstiness b (vLLM benchmarks/benchmark_serving.py get_request: shape b,
 * scale 1/(rate·b)), 1 for `constant`. For a fixed rate Λ⁻¹(s) = s/rate; `stages` invert a
 * piecewise-linear rate (a non-homogeneous process by time rescaling).
 */
export function makeArrivals(spec: OpenLoopSpec): ArrivalProcess {
  const kind = spec.kind === 'stages' ? spec.process : spec.kind;
  const b = spec.kind === 'gamma' || spec.kind === 'stages' ? spec.burstiness : 1;
  const unitGap = (rng: Rng): number => {
    switch (kind) {
      case 'poisson':
        return -Math.log(1 - rng.float());
      case 'gamma':
        return standardGamma(rng, b) / b;
      case 'constant':
        return 1;
    }
  };
  if (spec.kind !== 'stages') {
    const meanGapUs = 1e6 / spec.ratePerSec;
    let atUs = 0;
    return {
      nextUs(rng) {
        atUs += meanGapUs * unitGap(rng);
        return atUs;
      },
    };
  }
  const schedule = new RateSchedule(spec.stages);
  let s = 0; // operational time: expected arrivals so far
  return {
    nextUs(rng) {
      s += unitGap(rng);
      return schedule.timeOfUs(s);
    },
  };
}
