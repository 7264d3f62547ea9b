import { z } from 'zod';
import { definePolicy, type PolicyContext } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, argminHealthy, queueLoad } from './helpers.js';
import { PrefixIndex } from './prefix-index.js';

/**
 * Prefix-aware routing (production-stack PrefixAwareRouter with its HashTrie,
 * src/vllm_router/prefix/hashtrie.py): the prompt is cut into chunks (128 characters there,
 * `chunkTokens` here, ≈ 4 characters per token), each chunk hash chained on the previous one; the
 * router remembers which instances it sent each chunk path to and picks, among healthy
 * instances, those sharing the longest chunk prefix with the request, uniformly at random.
 * Differences, both deliberate: below `minMatchTokens` (and with no match at all) it falls back
 * to the least-loaded instance instead of a random one, and the trie is bounded
 * (`maxBlocksPerInstance`, LRU) where production-stack assumes no eviction.
 */
export class PrefixAwarePolicy implements RoutingPolicy {
  readonly name = 'prefix-aware';
  readonly #index: PrefixIndex;
  readonly #stride: number;
  readonly #blockSize: number;
  readonly #minMatchTokens: number;
  readonly #match: number[] = [];
  #matched = 0;
  #fallbacks = 0;

  constructor(opts: { chunkTokens: number; minMatchTokens: number; maxBlocksPerInstance: number }, ctx: PolicyContext) {
    this.#blockSize = ctx.blockSize;
    this.#stride = Math.max(1, Math.round(opts.chunkTokens / ctx.blockSize));
    this.#minMatchTokens = opts.minMatchTokens;
    this.#index = new PrefixIndex(opts.maxBlocksPerInstance);
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const match = this.#match;
    match.length = 0;
    let best = 0;
    for (const v of instances) {
      const m = v.healthy ? this.#index.match(v.id, req.promptBlocks, req.nowUs, this.#stride) : -1;
      match.push(m);
      if (m > best) best = m;
    }
    if (best === 0 || best * this.#blockSize < this.#minMatchTokens) {
      const i = argminHealthy(instances, queueLoad, rng);
      if (i < 0) return NO_HEALTHY;
      this.#fallbacks++;
      return instances[i]!.id;
    }
    let pick = -1;
    let ties = 0;
    for (let i = 0; i < match.length; i++) {
      if (match[i] !== best) continue;
      ties++;
      if (rng.int(ties) === 0) pick = i;
    }
    this.#matched++;
    return instances[pick]!.id;
  }

  onRouted(req: RouteRequest, instanceId: string): void {
    this.#index.insert(instanceId, req.promptBlocks, req.nowUs, this.#stride);
  }

  onInstanceDown(instanceId: string): void {
    this.#index.removeInstance(instanceId);
  }

  stats(): Record<string, number> {
    return { matched: this.#matched, fallbacks: this.#fallbacks };
  }
}

/** Registry entry for `routing: prefix-aware`. */
export const prefixAwareFactory = definePolicy({
  summary: "longest chunk-prefix match in a routed-prompt hash trie (production-stack prefixaware)",
  options: z.strictObject({
    /** Trie chunk in tokens (production-stack: 128 characters ≈ 32 tokens); rounded to whole blocks. */
    chunkTokens: z.int().positive().default(32),
    /** Below this many matched tokens, route to the least-loaded instance. */
    minMatchTokens: z.int().nonnegative().default(0),
    /** Trie entries kept per instance, least recently used dropped first. */
    maxBlocksPerInstance: z.int().positive().default(1_048_576),
  }),
  make: (o, ctx) => new PrefixAwarePolicy(o, ctx),
});
