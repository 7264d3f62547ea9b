import { z } from 'zod';
import type { Rng } from '../policies/types.js';
import { openLoopArrivalsSchema } from './arrivals.js';
import { tokensSchema } from './distributions.js';
import { workloadCommonShape, type PatternContext, type WorkflowFactory, type WorkloadCommon } from './pattern.js';
import { PATTERNS } from './patterns/index.js';

/** Token fields an entry may set; unset ones come from the mixed workload. */
const tokenOverrides = {
  priority: z.number().optional(),
  maxTokens: z.int().positive().optional(),
  systemTokens: tokensSchema.optional(),
  contextTokens: tokensSchema.optional(),
  taskTokens: tokensSchema.optional(),
  outputTokens: tokensSchema.optional(),
  sharing: z.enum(['auto', 'broadcast', 'selective', 'none']).optional(),
};

const entryVariants = Object.entries(PATTERNS).map(([name, def]) => {
  const variant = z.strictObject({ weight: z.number().positive().default(1), ...tokenOverrides, ...def.shape, pattern: z.literal(name) });
  const check = def.check;
  return check
    ? variant.check((ctx) => check(ctx.value as never, (path, message) => ctx.issues.push({ code: 'custom', input: ctx.value, path, message })))
    : variant;
});

/** `mixed`: a weighted mix of workflow patterns, plus optional background chat with its own arrivals. */
export const mixedShape = {
  ...workloadCommonShape,
  pattern: z.literal('mixed'),
  /** Entries: a pattern and its options, and a `weight` (share of the arrivals). */
  mix: z.array(z.discriminatedUnion('pattern', entryVariants as unknown as [typeof entryVariants[number], ...typeof entryVariants])).min(1),
  /** Plain chat requests arriving on their own (open-loop) process while the workflows run. */
  background: z.strictObject({ arrivals: openLoopArrivalsSchema, ...tokenOverrides, ...PATTERNS.chat.shape }).optional(),
};

type Entry = Readonly<Record<string, unknown>> & { readonly pattern: string; readonly weight: number };

/** A parsed mixed workload. */
export type MixedSpec = WorkloadCommon & {
  readonly pattern: 'mixed';
  readonly mix: readonly Entry[];
  readonly background?: (Readonly<Record<string, unknown>> & { readonly arrivals: z.output<typeof openLoopArrivalsSchema> }) | undefined;
};

function merged(parent: MixedSpec, entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...parent };
  delete out['mix'];
  delete out['background'];
  for (const [k, v] of Object.entries(entry)) if (v !== undefined && k !== 'weight') out[k] = v;
  out['name'] = parent.name;
  return out;
}

/**
 * The mixed workload's workflow factory: each workflow picks an entry by weight (from its own
 * stream) and is built by that entry's pattern. Entries share the workload stream, so a role
 * or a document common to two entries is the same content.
 */
export function makeMixedFactory(spec: MixedSpec, ctx: PatternContext): WorkflowFactory {
  const factories = spec.mix.map((e) => {
    const def = PATTERNS[e.pattern as keyof typeof PATTERNS];
    return def.make(merged(spec, e) as never, { ...ctx, idPrefix: spec.name });
  });
  const cumulative: number[] = [];
  let total = 0;
  for (const e of spec.mix) cumulative.push((total += e.weight));
  return {
    build(index: number, arrivalUs: number, rng: Rng) {
      const u = rng.fork('mix').float() * total;
      let k = cumulative.findIndex((c) => u < c);
      if (k < 0) k = factories.length - 1;
      return factories[k]!.build(index, arrivalUs, rng);
    },
  };
}

/** The background chat factory of a mixed workload (workflow ids `<name>-bg-<i>`). */
export function makeBackgroundFactory(spec: MixedSpec, ctx: PatternContext): WorkflowFactory {
  const bg = merged(spec, spec.background ?? {});
  delete bg['arrivals'];
  bg['pattern'] = 'chat';
  return PATTERNS.chat.make(bg as never, { ...ctx, idPrefix: `${spec.name}-bg` });
}
