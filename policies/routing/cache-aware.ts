import { z } from 'zod';
import { definePolicy, type PolicyContext } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, argminHealthy, loadRange, queueLoad } from './helpers.js';
import { pickEqual } from './kv-aware.js';
import { PrefixIndex } from './prefix-index.js';

/** Options of {@link CacheAwarePolicy} (SGLang router defaults). */
export interface CacheAwareOptions {
  readonly cacheThreshold: number;
  readonly balanceAbsThreshold: number;
  readonly balanceRelThreshold: number;
  readonly evictionIntervalS: number;
  readonly maxTreeSizeTokens: number;
}

/**
 * SGLang router's cache-aware policy (sgl-router/src/policies/cache_aware.rs). The system is
 * imbalanced when (max − min load) > balanceAbsThreshold AND max > balanceRelThreshold × min,
 * load being each healthy instance's requests in flight (running + waiting); then the request
 * goes to the least-loaded instance. Otherwise it goes to the instance whose approximate radix
 * tree (what this router sent it) matches the longest prefix, if the match rate
 * matched / prompt blocks > cacheThreshold, else to the instance with the smallest tree. The
 * chosen instance's tree always learns the prompt. Every evictionIntervalS each tree is cut
 * back to maxTreeSizeTokens by LRU (SGLang runs a background thread; we do it at the first
 * routing decision after the interval). Defaults are SGLang's: 0.3 / 64 / 1.5, 120 s, and
 * 2^26 characters ≈ 2^24 tokens. SGLang trees hold characters; ours hold KV blocks.
 */
export class CacheAwarePolicy implements RoutingPolicy {
  readonly name = 'cache-aware';
  readonly #opts: CacheAwareOptions;
  readonly #index = new PrefixIndex(Infinity);
  readonly #match: number[] = [];
  readonly #maxTreeBlocks: number;
  #nextEvictionUs: number;
  #imbalanced = 0;
  #cacheHits = 0;
  #cacheMisses = 0;

  constructor(opts: CacheAwareOptions, ctx: PolicyContext) {
    this.#opts = opts;
    this.#maxTreeBlocks = Math.max(1, Math.floor(opts.maxTreeSizeTokens / ctx.blockSize));
    this.#nextEvictionUs = opts.evictionIntervalS * 1e6;
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    if (req.nowUs >= this.#nextEvictionUs) {
      this.#index.trim(this.#maxTreeBlocks);
      this.#nextEvictionUs = req.nowUs + this.#opts.evictionIntervalS * 1e6;
    }
    const [min, max] = loadRange(instances);
    if (max - min > this.#opts.balanceAbsThreshold && max > this.#opts.balanceRelThreshold * min) {
      const i = argminHealthy(instances, queueLoad, rng);
      if (i < 0) return NO_HEALTHY;
      this.#imbalanced++;
      return instances[i]!.id;
    }
    const match = this.#match;
    match.length = 0;
    let best = 0;
    for (const v of instances) {
      const m = v.healthy ? this.#index.match(v.id, req.promptBlocks, req.nowUs) : -1;
      match.push(m);
      if (m > best) best = m;
    }
    const blocks = req.promptBlocks.length;
    const rate = blocks > 0 ? best / blocks : 0;
    let i: number;
    if (rate > this.#opts.cacheThreshold) {
      i = pickEqual(match, best, rng);
      this.#cacheHits++;
    } else {
      i = argminHealthy(instances, (v) => this.#index.size(v.id), rng);
      this.#cacheMisses++;
    }
    return i < 0 ? NO_HEALTHY : instances[i]!.id;
  }

  onRouted(req: RouteRequest, instanceId: string): void {
    this.#index.insert(instanceId, req.promptBlocks, req.nowUs);
  }

  onInstanceDown(instanceId: string): void {
    this.#index.removeInstance(instanceId);
  }

  stats(): Record<string, number> {
    return {
      balancedDecisions: this.#cacheHits + this.#cacheMisses, imbalancedDecisions: this.#imbalanced,
      cacheHits: this.#cacheHits, cacheMisses: this.#cacheMisses,
    };
  }
}

/** Registry entry for `routing: cache-aware`. */
export const cacheAwareFactory = definePolicy({
  summary: "SGLang router cache_aware: radix-tree match above a threshold while balanced, least loaded when not",
  options: z.strictObject({
    cacheThreshold: z.number().min(0).max(1).default(0.3),
    balanceAbsThreshold: z.number().nonnegative().default(64),
    balanceRelThreshold: z.number().positive().default(1.5),
    evictionIntervalS: z.number().positive().default(120),
    maxTreeSizeTokens: z.int().positive().default(16_777_216),
  }),
  make: (o, ctx) => new CacheAwarePolicy(o, ctx),
});
