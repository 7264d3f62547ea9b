import { z } from 'zod';
import { definePolicy, type PolicyContext } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng, TierOverlap } from '../types.js';
import { NO_HEALTHY, argminHealthy, queueLoad } from './helpers.js';
import { PrefixIndex } from './prefix-index.js';
import { SessionPolicy } from './session.js';

/**
 * Weights of prefix blocks found outside GPU memory, relative to a device block: NVIDIA
 * Dynamo's KV router credits overlap as device + host_cache_hit_weight × host +
 * disk_cache_hit_weight × disk blocks (lib/kv-router/src/scheduling/selector.rs; flags
 * --router-host-cache-hit-weight 0.75 and --router-disk-cache-hit-weight 0.25, the disk tier
 * covering external stores such as a shared LMCache server).
 */
export interface TierWeights {
  readonly hostHitWeight: number;
  readonly remoteHitWeight: number;
}

const overlap: TierOverlap = { device: 0, host: 0, remote: 0 };

/**
 * Matched prefix blocks per instance (-1 for unhealthy ones): exact where the view offers it
 * (tier-weighted when it reports KV tiers), else from `index`.
 */
export function cachedBlocks(req: RouteRequest, instances: readonly InstanceView[], index: PrefixIndex, out: number[], w?: TierWeights): { best: number; exact: boolean } {
  out.length = 0;
  let best = 0;
  let exact = true;
  for (const v of instances) {
    let m = -1;
    if (v.healthy) {
      if (v.cachedPrefixTiers && w) {
        v.cachedPrefixTiers(req.promptBlocks, overlap);
        m = overlap.device + w.hostHitWeight * overlap.host + w.remoteHitWeight * overlap.remote;
      } else if (v.cachedPrefixBlocks) m = v.cachedPrefixBlocks(req.promptBlocks);
      else {
        exact = false;
        m = index.match(v.id, req.promptBlocks, req.nowUs);
      }
    }
    out.push(m);
    if (m > best) best = m;
  }
  return { best, exact };
}

/** A uniformly random index among those where `values[i] === target` (one draw per tie). */
export function pickEqual(values: readonly number[], target: number, rng: Rng): number {
  let pick = -1;
  let ties = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== target) continue;
    ties++;
    if (rng.int(ties) === 0) pick = i;
  }
  return pick;
}

/** Options of {@link KvAwarePolicy}. */
export interface KvAwareOptions extends TierWeights {
  readonly maxUnmatchedTokens: number;
  readonly fallback: 'session' | 'least-loaded';
  readonly indexCapacityBlocks: number;
}

/**
 * KV-aware routing (production-stack KvawareRouter, routing_logic.py): route to the instance
 * holding the longest cached prefix of the prompt. production-stack asks LMCache's controller;
 * in simulation we read each engine's prefix cache exactly (InstanceView.cachedPrefixBlocks),
 * and live the policy keeps an approximate per-instance LRU index of what it routed
 * (`indexCapacityBlocks`, llm-d's default 31,250). Falls back when nothing matches or when more
 * than `maxUnmatchedTokens` (production-stack's kv_aware_threshold, 2000) would still need
 * prefill: to consistent hashing of the session key when there is one, else least loaded.
 * With KV tiers (simulation), blocks found in an instance's CPU tier or the shared remote tier
 * count with Dynamo's weights ({@link TierWeights}).
 */
export class KvAwarePolicy implements RoutingPolicy {
  readonly name: string = 'kv-aware';
  readonly #opts: KvAwareOptions;
  readonly #blockSize: number;
  readonly #index: PrefixIndex;
  readonly #fallback: SessionPolicy;
  readonly #match: number[] = [];
  #matched = 0;
  #fallbacks = 0;

  constructor(opts: KvAwareOptions, ctx: PolicyContext) {
    this.#opts = opts;
    this.#blockSize = ctx.blockSize;
    this.#index = new PrefixIndex(opts.indexCapacityBlocks);
    this.#fallback = new SessionPolicy(160);
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const { best } = cachedBlocks(req, instances, this.#index, this.#match, this.#opts);
    const matchedTokens = best * this.#blockSize;
    if (best === 0 || matchedTokens < req.promptTokens - this.#opts.maxUnmatchedTokens) {
      this.#fallbacks++;
      if (this.#opts.fallback === 'session' && req.sessionKey !== undefined) return this.#fallback.route(req, instances, rng);
      const l = argminHealthy(instances, queueLoad, rng);
      return l < 0 ? NO_HEALTHY : instances[l]!.id;
    }
    const i = pickEqual(this.#match, best, rng);
    if (i < 0) return NO_HEALTHY;
    this.#matched++;
    return instances[i]!.id;
  }

  onRouted(req: RouteRequest, instanceId: string): void {
    this.#index.insert(instanceId, req.promptBlocks, req.nowUs);
  }

  onInstanceDown(instanceId: string): void {
    this.#index.removeInstance(instanceId);
  }

  stats(): Record<string, number> {
    return { matched: this.#matched, fallbacks: this.#fallbacks };
  }
}

/** Options schema shared by `kv-aware` and `workflow-aware`'s fallback. */
export const kvAwareShape = {
  /** Fall back when more than this many prompt tokens are not cached anywhere (production-stack kv_aware_threshold). */
  maxUnmatchedTokens: z.int().nonnegative().default(2000),
  /** Where requests go on a fallback: the session's consistent-hash instance (production-stack), or the least loaded. */
  fallback: z.enum(['session', 'least-loaded']).default('session'),
  /** Per-instance capacity of the approximate index used when the views carry no exact cache state. */
  indexCapacityBlocks: z.int().positive().default(31_250),
  /** Weight of a prefix block found in the instance's CPU tier (Dynamo's host_cache_hit_weight). */
  hostHitWeight: z.number().nonnegative().default(0.75),
  /** Weight of a prefix block found in the shared remote tier (Dynamo's disk_cache_hit_weight). */
  remoteHitWeight: z.number().nonnegative().default(0.25),
};

/** Registry entry for `routing: kv-aware`. */
export const kvAwareFactory = definePolicy({
  summary: 'longest cached prefix (exact in sim, routed-block LRU index live), else session/least loaded (production-stack kvaware)',
  options: z.strictObject(kvAwareShape),
  make: (o, ctx) => new KvAwarePolicy(o, ctx),
});
