import type { BlockHash } from '../types.js';

/**
 * A router's approximate picture of which prompt blocks each instance holds, fed only by what
 * the router itself sent there (it never reads engine internals). Per instance an LRU set of
 * chained block hashes with a capacity (llm-d's approximate prefix indexer: an LRU per server,
 * 31,250 blocks by default) and an optional TTL (Dynamo's ApproxKvIndexer forgets routed blocks
 * after 120 s). Since hashes are chained, holding hash i implies the prefix up to block i.
 * A JS Map keeps insertion order, so delete + set moves an entry to the most-recent end.
 */
export class PrefixIndex {
  readonly #byInstance = new Map<string, Map<BlockHash, number>>();
  readonly #capacity: number;
  readonly #ttlUs: number;

  /** `capacityBlocks` per instance (Infinity: unbounded); `ttlUs` (Infinity: entries never expire). */
  constructor(capacityBlocks: number, ttlUs = Infinity) {
    if (!(capacityBlocks >= 1)) throw new RangeError(`PrefixIndex capacity must be >= 1 block, got ${capacityBlocks}`);
    this.#capacity = capacityBlocks;
    this.#ttlUs = ttlUs;
  }

  /** Blocks remembered for `instanceId` (expired ones included until touched or trimmed). */
  size(instanceId: string): number {
    return this.#byInstance.get(instanceId)?.size ?? 0;
  }

  /**
   * Length in blocks of the longest prefix of `blocks` remembered for `instanceId` at `nowUs`,
   * looking at every `stride`-th block only (a chunk of `stride` blocks is one trie node).
   */
  match(instanceId: string, blocks: readonly BlockHash[], nowUs: number, stride = 1): number {
    const m = this.#byInstance.get(instanceId);
    if (!m) return 0;
    let n = 0;
    for (let i = stride - 1; i < blocks.length; i += stride) {
      const at = m.get(blocks[i]!);
      if (at === undefined || nowUs - at >= this.#ttlUs) break;
      n = i + 1;
    }
    return n;
  }

  /** Remember that `instanceId` was sent `blocks` at `nowUs` (refreshing their recency). */
  insert(instanceId: string, blocks: readonly BlockHash[], nowUs: number, stride = 1): void {
    let m = this.#byInstance.get(instanceId);
    if (!m) {
      m = new Map();
      this.#byInstance.set(instanceId, m);
    }
    for (let i = stride - 1; i < blocks.length; i += stride) {
      const h = blocks[i]!;
      m.delete(h);
      m.set(h, nowUs);
    }
    if (m.size > this.#capacity) this.#trimOne(m, this.#capacity);
  }

  /** Evict least recently used entries of every instance down to `maxBlocks` (SGLang's periodic tree eviction). */
  trim(maxBlocks: number): void {
    for (const m of this.#byInstance.values()) this.#trimOne(m, maxBlocks);
  }

  /** Forget everything about an instance (it went down: its cache is gone). */
  removeInstance(instanceId: string): void {
    this.#byInstance.delete(instanceId);
  }

  #trimOne(m: Map<BlockHash, number>, maxBlocks: number): void {
    if (m.size <= maxBlocks) return;
    let excess = m.size - maxBlocks;
    for (const k of m.keys()) {
      if (excess-- <= 0) break;
      m.delete(k);
    }
  }
}
