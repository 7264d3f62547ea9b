import { z } from 'zod';
import type { Rng } from '../policies/types.js';
import { makeArrivals, type ArrivalProcess } from './arrivals.js';
import { workloadCommonShape, type WorkflowFactory, type WorkloadCommon } from './pattern.js';
import { PATTERNS } from './patterns/index.js';
import type { Workflow } from './workflow.js';

const variants = Object.entries(PATTERNS).map(([name, def]) =>
  z.strictObject({ ...workloadCommonShape, ...def.shape, pattern: z.literal(name) }),
);

/** A workload as written in a scenario: a pattern, its options, arrivals and a stop rule. */
export const workloadSchema = z
  .discriminatedUnion('pattern', variants as unknown as [typeof variants[number], ...typeof variants])
  .check((ctx) => {
    if (ctx.value.workflows === undefined && ctx.value.durationS === undefined) {
      ctx.issues.push({
        code: 'custom', input: ctx.value, path: ['workflows'],
        message: 'expected `workflows` (a count) or `durationS` (arrival window) to bound the workload, found neither',
      });
    }
  });

/** A parsed workload. */
export type WorkloadSpec = WorkloadCommon & { readonly pattern: string } & Readonly<Record<string, unknown>>;

/** One arrival: which workflow and when. */
export interface Arrival {
  readonly index: number;
  readonly arrivalUs: number;
}

/**
 * The workflows of one workload, produced lazily: `nextArrival()` gives the next arrival time,
 * `build()` draws that workflow only when it arrives. Each workflow draws from its own stream
 * (`wf-<index>`), so the same seed gives the same workflows whatever the policy under test.
 */
export class WorkloadSource {
  readonly spec: WorkloadSpec;
  readonly #factory: WorkflowFactory;
  readonly #arrivals: ArrivalProcess;
  readonly #arrivalRng: Rng;
  readonly #rng: Rng;
  #index = 0;
  #lastUs = 0;

  constructor(spec: WorkloadSpec, rng: Rng) {
    this.spec = spec;
    const def = PATTERNS[spec.pattern as keyof typeof PATTERNS];
    if (!def) throw new Error(`unknown pattern '${spec.pattern}'; valid: ${Object.keys(PATTERNS).join(', ')}`);
    this.#factory = def.make(spec as never);
    this.#arrivals = makeArrivals(spec.arrivals);
    this.#rng = rng;
    this.#arrivalRng = rng.fork('arrivals');
  }

  /** The next arrival, or null when the workload's count or duration is exhausted. */
  nextArrival(): Arrival | null {
    const { workflows, durationS } = this.spec;
    if (workflows !== undefined && this.#index >= workflows) return null;
    const at = this.#lastUs + this.#arrivals.nextGapUs(this.#arrivalRng);
    if (durationS !== undefined && at > durationS * 1e6) return null;
    this.#lastUs = at;
    return { index: this.#index++, arrivalUs: Math.round(at) };
  }

  /** Build workflow `index` (deterministic in the seed and the index alone). */
  build(arrival: Arrival): Workflow {
    return this.#factory.build(arrival.index, arrival.arrivalUs, this.#rng.fork(`wf-${arrival.index}`));
  }
}
