import { z } from 'zod';
import { definePolicy } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, argmaxHealthy } from './helpers.js';
import { PrefixIndex } from './prefix-index.js';

/** Options of {@link ScoredPolicy}. */
export interface ScoredOptions {
  readonly prefixWeight: number;
  readonly queueWeight: number;
  readonly kvUtilizationWeight: number;
  readonly sessionAffinityWeight: number;
  readonly prefixSource: 'approximate' | 'precise';
  readonly lruCapacityPerServer: number;
  readonly maxPrefixBlocksToMatch: number;
}

const MAX_SESSIONS = 100_000;

/**
 * llm-d's endpoint picker (EPP, gateway-api-inference-extension scheduling framework): each
 * healthy instance gets a weighted sum of scorers in [0, 1] and the max-score picker takes the
 * highest, ties at random. Scorers:
 * - prefix-cache-scorer: matched prompt blocks / prompt blocks (first maxPrefixBlocksToMatch,
 *   256), from an approximate per-instance LRU of routed block hashes (31,250 blocks), or from
 *   the engine's exact cache state with `prefixSource: precise` (llm-d's KV-events scorer);
 * - queue-scorer: (maxQ − q) / (maxQ − minQ) over waiting queues, 1 for all when equal;
 * - kv-cache-utilization-scorer: 1 − KV usage;
 * - session-affinity-scorer: 1 for the instance that served the session's last request.
 * Default weights are llm-d's shipped profile: prefix 3, queue 2, kv 2 (session affinity off).
 */
export class ScoredPolicy implements RoutingPolicy {
  readonly name = 'scored';
  readonly #o: ScoredOptions;
  readonly #index: PrefixIndex;
  readonly #sessions = new Map<string, string>();
  readonly #prefixScore: number[] = [];
  #precise = 0;
  #approximate = 0;

  constructor(opts: ScoredOptions) {
    this.#o = opts;
    this.#index = new PrefixIndex(opts.lruCapacityPerServer);
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const o = this.#o;
    let minQ = Infinity;
    let maxQ = -Infinity;
    for (const v of instances) {
      if (!v.healthy) continue;
      if (v.waiting < minQ) minQ = v.waiting;
      if (v.waiting > maxQ) maxQ = v.waiting;
    }
    const blocks = req.promptBlocks.length > o.maxPrefixBlocksToMatch ? req.promptBlocks.slice(0, o.maxPrefixBlocksToMatch) : req.promptBlocks;
    const ps = this.#prefixScore;
    ps.length = 0;
    for (const v of instances) {
      let m = 0;
      if (v.healthy && blocks.length > 0 && o.prefixWeight !== 0) {
        if (o.prefixSource === 'precise' && v.cachedPrefixBlocks) {
          m = v.cachedPrefixBlocks(blocks);
          this.#precise++;
        } else {
          m = this.#index.match(v.id, blocks, req.nowUs);
          this.#approximate++;
        }
      }
      ps.push(blocks.length > 0 ? m / blocks.length : 0);
    }
    const last = req.sessionKey !== undefined ? this.#sessions.get(req.sessionKey) : undefined;
    const i = argmaxHealthy(instances, (v, k) => {
      const queue = maxQ === minQ ? 1 : (maxQ - v.waiting) / (maxQ - minQ);
      const kv = v.kvBlocksTotal > 0 ? 1 - v.kvBlocksUsed / v.kvBlocksTotal : 0;
      const session = last === v.id ? 1 : 0;
      return o.prefixWeight * ps[k]! + o.queueWeight * queue + o.kvUtilizationWeight * kv + o.sessionAffinityWeight * session;
    }, rng);
    return i < 0 ? NO_HEALTHY : instances[i]!.id;
  }

  onRouted(req: RouteRequest, instanceId: string): void {
    const o = this.#o;
    const blocks = req.promptBlocks.length > o.maxPrefixBlocksToMatch ? req.promptBlocks.slice(0, o.maxPrefixBlocksToMatch) : req.promptBlocks;
    this.#index.insert(instanceId, blocks, req.nowUs);
    if (req.sessionKey !== undefined) {
      const s = this.#sessions;
      s.delete(req.sessionKey);
      s.set(req.sessionKey, instanceId);
      if (s.size > MAX_SESSIONS) s.delete(s.keys().next().value!);
    }
  }

  onInstanceDown(instanceId: string): void {
    this.#index.removeInstance(instanceId);
  }

  stats(): Record<string, number> {
    return { preciseLookups: this.#precise, approximateLookups: this.#approximate };
  }
}

/** Registry entry for `routing: scored`. */
export const scoredFactory = definePolicy({
  summary: "llm-d EPP: max weighted sum of prefix, queue, KV-utilisation and session scorers (3/2/2/0)",
  options: z.strictObject({
    prefixWeight: z.number().nonnegative().default(3),
    queueWeight: z.number().nonnegative().default(2),
    kvUtilizationWeight: z.number().nonnegative().default(2),
    sessionAffinityWeight: z.number().nonnegative().default(0),
    /** `approximate`: routed-block LRU index (llm-d default); `precise`: the engine's cache state where the view has it. */
    prefixSource: z.enum(['approximate', 'precise']).default('approximate'),
    lruCapacityPerServer: z.int().positive().default(31_250),
    maxPrefixBlocksToMatch: z.int().positive().default(256),
  }),
  make: (o) => new ScoredPolicy(o),
});
