import { z } from 'zod';
import type { Rng } from '../policies/types.js';

/** How workflows arrive (open loop). */
export const arrivalsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('poisson'), ratePerSec: z.number().positive() }),
  z.strictObject({ kind: z.literal('constant'), ratePerSec: z.number().positive() }),
]);

/** An arrival process as written in a scenario. */
export type ArrivalsSpec = z.infer<typeof arrivalsSchema>;

/** Produces the gap to the next arrival. */
export interface ArrivalProcess {
  /** µs from the previous arrival (or from t = 0 for the first) to the next. */
  nextGapUs(rng: Rng): number;
}

/** Build an arrival process. */
export function makeArrivals(spec: ArrivalsSpec): ArrivalProcess {
  const meanGapUs = 1e6 / spec.ratePerSec;
  switch (spec.kind) {
    case 'poisson':
      // Exponential inter-arrival gaps (a Poisson process of the given rate).
      return { nextGapUs: (rng) => -meanGapUs * Math.log(1 - rng.float()) };
    case 'constant':
      return { nextGapUs: () => meanGapUs };
  }
}
