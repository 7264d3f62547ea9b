import { z } from 'zod';

/** Facts about the deployment a policy may need at construction (never per-request state). */
export interface PolicyContext {
  /** KV block size in tokens, the unit of RouteRequest.promptBlocks. */
  readonly blockSize: number;
}

/** One registered implementation: its options schema and how to build it. */
export interface PolicyFactory<P> {
  /** One line shown in `--help` and in "unknown name" errors. */
  readonly summary: string;
  /** Strict schema of the YAML options (everything except `kind`). */
  readonly options: z.ZodType;
  make(options: never, ctx: PolicyContext): P;
}

/** A name → factory map for one policy interface (routing, scheduling, eviction...). */
export type PolicyRegistry<P> = Readonly<Record<string, PolicyFactory<P>>>;

/** A resolved reference to a registered implementation, as the scenario names it. */
export interface PolicyRef {
  /** The registered name, or for a user module the path as the scenario wrote it. */
  readonly kind: string;
  /**
   * A user policy module's file URL (`routing: { module: ./my-router.js }`): the implementation is
   * that module's default export, not a registry entry (harness/scenario/policy-modules.ts).
   */
  readonly module?: string;
  /** Options after parsing (defaults applied). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The options as the scenario wrote them (for display names); defaults to `options`. */
  readonly given?: Readonly<Record<string, unknown>>;
}

/** Typed helper so each implementation file states its options type once. */
export function definePolicy<P, S extends z.ZodType>(def: {
  summary: string;
  options: S;
  make(options: z.output<S>, ctx: PolicyContext): P;
}): PolicyFactory<P> {
  return def as unknown as PolicyFactory<P>;
}

/** Build an implementation from a resolved reference; options are parsed (defaults applied). */
export function instantiate<P>(registry: PolicyRegistry<P>, ref: PolicyRef, ctx: PolicyContext, what: string): P {
  const factory = registry[ref.kind];
  if (!factory) {
    throw new Error(`unknown ${what} '${ref.kind}'; valid: ${Object.keys(registry).join(', ')}`);
  }
  const options = factory.options.parse(ref.options) as never;
  return factory.make(options, ctx);
}

/** The empty options schema, for implementations without options. */
export const noOptions = z.strictObject({});
