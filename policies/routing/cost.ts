import { z } from 'zod';
import { definePolicy, type PolicyContext } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, argminHealthy } from './helpers.js';
import { cachedBlocks, type TierWeights } from './kv-aware.js';
import { PrefixIndex } from './prefix-index.js';

/** Options of {@link CostPolicy}. */
export interface CostOptions extends TierWeights {
  readonly overlapScoreWeight: number;
  readonly temperature: number;
  readonly approxTtlS: number;
  readonly indexCapacityBlocks: number;
}

/**
 * NVIDIA Dynamo's KV router (lib/llm/src/kv_router/scheduler.rs, DefaultWorkerSelector): per
 * instance, logit = overlapScoreWeight × prefill blocks + decode blocks, where prefill blocks =
 * (prompt tokens already queued for prefill + this prompt's tokens not cached there) / block
 * size and decode blocks = blocks held by decoding requests + this request's blocks. The
 * lowest logit wins (ties at random); with temperature > 0 an instance is sampled with
 * probability ∝ exp(−(logit − min) / ((max − min) × temperature)), Dynamo's normalised softmax.
 * Overlap comes from the engines' exact cache state in simulation (Dynamo's KV events) and,
 * live, from an index of routed blocks that forgets them after approxTtlS (Dynamo's
 * ApproxKvIndexer, 120 s). Defaults: weight 1, temperature 0. With KV tiers (simulation),
 * overlap = device + 0.75 × host + 0.25 × remote blocks (Dynamo's tier weights).
 */
export class CostPolicy implements RoutingPolicy {
  readonly name = 'cost';
  readonly #o: CostOptions;
  readonly #bs: number;
  readonly #index: PrefixIndex;
  readonly #match: number[] = [];
  readonly #logits: number[] = [];
  #sampled = 0;

  constructor(opts: CostOptions, ctx: PolicyContext) {
    this.#o = opts;
    this.#bs = ctx.blockSize;
    this.#index = new PrefixIndex(opts.indexCapacityBlocks, opts.approxTtlS * 1e6);
  }

  /** The instance's logit for `req`, given `overlapBlocks` cached there. */
  logit(req: RouteRequest, v: InstanceView, overlapBlocks: number): number {
    const bs = this.#bs;
    const prefillTokens = v.inflightPrefillTokens + Math.max(0, req.promptTokens - overlapBlocks * bs);
    const decodeBlocks = Math.floor(v.inflightDecodeTokens / bs) + Math.ceil(req.promptTokens / bs);
    return this.#o.overlapScoreWeight * (prefillTokens / bs) + decodeBlocks;
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const match = this.#match;
    cachedBlocks(req, instances, this.#index, match, this.#o);
    const logits = this.#logits;
    logits.length = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < instances.length; k++) {
      const v = instances[k]!;
      const l = v.healthy ? this.logit(req, v, match[k]!) : NaN;
      logits.push(l);
      if (v.healthy) {
        if (l < lo) lo = l;
        if (l > hi) hi = l;
      }
    }
    if (lo === Infinity) return NO_HEALTHY;
    if (this.#o.temperature === 0 || hi === lo) {
      const i = argminHealthy(instances, (_v, k) => logits[k]!, rng);
      return i < 0 ? NO_HEALTHY : instances[i]!.id;
    }
    this.#sampled++;
    const scale = 1 / ((hi - lo) * this.#o.temperature);
    let sum = 0;
    for (let k = 0; k < logits.length; k++) if (instances[k]!.healthy) sum += Math.exp(-(logits[k]! - lo) * scale);
    let u = rng.float() * sum;
    let last = -1;
    for (let k = 0; k < logits.length; k++) {
      if (!instances[k]!.healthy) continue;
      last = k;
      u -= Math.exp(-(logits[k]! - lo) * scale);
      if (u < 0) return instances[k]!.id;
    }
    return instances[last]!.id;
  }

  onRouted(req: RouteRequest, instanceId: string): void {
    this.#index.insert(instanceId, req.promptBlocks, req.nowUs);
  }

  onInstanceDown(instanceId: string): void {
    this.#index.removeInstance(instanceId);
  }

  stats(): Record<string, number> {
    return { sampledDecisions: this.#sampled };
  }
}

/** Registry entry for `routing: cost`. */
export const costFactory = definePolicy({
  summary: 'Dynamo KV router: min overlapWeight × prefill blocks + decode blocks, optional softmax temperature',
  options: z.strictObject({
    overlapScoreWeight: z.number().nonnegative().default(1),
    temperature: z.number().nonnegative().default(0),
    approxTtlS: z.number().positive().default(120),
    indexCapacityBlocks: z.int().positive().default(31_250),
    hostHitWeight: z.number().nonnegative().default(0.75),
    remoteHitWeight: z.number().nonnegative().default(0.25),
  }),
  make: (o, ctx) => new CostPolicy(o, ctx),
});
