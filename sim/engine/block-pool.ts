import type { BlockHash } from '../../policies/types.js';
import type { BlockOwner } from '../../policies/kv/request.js';
import type { BlockInfo, EvictionPolicy } from '../../policies/kv/eviction/types.js';
import { BlockHashIndex } from './hash-index.js';

class BlockInfoStore implements BlockInfo {
  readonly refCount: Int32Array;
  readonly hash: Float64Array;
  readonly lastAccessUs: Float64Array;
  readonly priority: Float64Array;
  readonly expectedReuseUs: Float64Array;
  readonly stepsToReuse: Float64Array;
  readonly toolWaitUs: Float64Array;
  readonly workflowIds: (string | undefined)[];
  readonly agentIds: (string | undefined)[];
  constructor(readonly numBlocks: number) {
    this.refCount = new Int32Array(numBlocks);
    this.hash = new Float64Array(numBlocks).fill(NaN);
    this.lastAccessUs = new Float64Array(numBlocks);
    this.priority = new Float64Array(numBlocks);
    this.expectedReuseUs = new Float64Array(numBlocks).fill(NaN);
    this.stepsToReuse = new Float64Array(numBlocks).fill(NaN);
    this.toolWaitUs = new Float64Array(numBlocks).fill(NaN);
    this.workflowIds = new Array<string | undefined>(numBlocks).fill(undefined);
    this.agentIds = new Array<string | undefined>(numBlocks).fill(undefined);
  }
  workflowId(block: number): string | undefined {
    return this.workflowIds[block];
  }
  agentId(block: number): string | undefined {
    return this.agentIds[block];
  }
}

/**
 * vLLM v1's BlockPool (vllm/v1/core/block_pool.py): a fixed set of KV blocks, ref counts, the
 * hash → block prefix-cache index, and a free set whose order is the eviction policy's. Block
 * 0 is vLLM's null block: taken out of the free queue at start and never freed, so
 * `numFree + numInUse = numBlocks - 1`.
 */
export class BlockPool {
  static readonly NULL_BLOCK = 0;
  readonly numBlocks: number;
  readonly enableCaching: boolean;
  readonly #info: BlockInfoStore;
  readonly #eviction: EvictionPolicy;
  /** hash → cached blocks (vLLM does not de-duplicate; lookups return one of them). */
  readonly #index: BlockHashIndex;
  #evictions = 0;
  #ownerExpectedReuseUs = NaN;
  #ownerStepsToReuse = NaN;
  #ownerToolWaitUs = NaN;
  /** Told about each cached block evicted (a KV connector offloading evictions); null: nobody. */
  onEvicted: ((hash: BlockHash, block: number, nowUs: number) => void) | null = null;

  constructor(numBlocks: number, enableCaching: boolean, eviction: EvictionPolicy) {
    if (!Number.isInteger(numBlocks) || numBlocks < 2) {
      throw new RangeError(`BlockPool needs at least 2 blocks (1 is vLLM's null block), got ${numBlocks}`);
    }
    this.numBlocks = numBlocks;
    this.enableCaching = enableCaching;
    this.#info = new BlockInfoStore(numBlocks);
    this.#index = new BlockHashIndex(numBlocks);
    this.#eviction = eviction;
    const ids: number[] = [];
    for (let i = 1; i < numBlocks; i++) ids.push(i);
    eviction.init(ids, this.#info);
    this.#info.refCount[BlockPool.NULL_BLOCK] = 1;
  }

  /** Read-only per-block facts (what eviction policies see). */
  get info(): BlockInfo {
    return this.#info;
  }

  get evictionName(): string {
    return this.#eviction.name;
  }

  /** Blocks with ref count 0 (free or evictable cached). */
  get numFree(): number {
    return this.#eviction.size;
  }

  /** Blocks in use, counting the null block like vLLM's usage figure does. */
  get numUsed(): number {
    return this.numBlocks - this.#eviction.size;
  }

  /** vLLM's KV cache usage: 1 - free / total. */
  get usage(): number {
    return 1 - this.#eviction.size / this.numBlocks;
  }

  /** Cached blocks dropped from the prefix index to make room (evictions). */
  get evictions(): number {
    return this.#evictions;
  }

  /** Blocks in the prefix cache. */
  get numCachedBlocks(): number {
    return this.#index.size;
  }

  /** Block holding `hash` in the prefix cache, or -1. */
  getCachedBlock(hash: BlockHash): number {
    return this.#index.get(hash);
  }

  /** Pop `n` blocks from the free set into `out`, evicting their cached hashes. */
  getNewBlocks(n: number, nowUs: number, owner: BlockOwner, out: number[]): void {
    if (n > this.#eviction.size) throw new Error(`BlockPool: cannot get ${n} blocks, ${this.#eviction.size} free`);
    const info = this.#info;
    this.#readOwner(owner);
    for (let i = 0; i < n; i++) {
      const b = this.#eviction.popFree(nowUs);
      if (info.refCount[b] !== 0) throw new Error(`eviction policy ${this.#eviction.name} returned block ${b} in use`);
      if (this.enableCaching) this.#maybeEvict(b, nowUs);
      info.refCount[b] = 1;
      this.#stamp(b, nowUs, owner);
      out.push(b);
    }
  }

  /** A prefix hit: take each block into use, removing ref-count-0 blocks from the free set. */
  touch(blocks: readonly number[], nowUs: number, owner: BlockOwner): void {
    const info = this.#info;
    this.#readOwner(owner);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      if (info.refCount[b] === 0) this.#eviction.onTouch(b);
      info.refCount[b]!++;
      this.#stamp(b, nowUs, owner);
    }
  }

  /**
   * Release blocks in the given order (vLLM passes a request's blocks reversed, so the tail
   * becomes evictable before the prefix).
   */
  freeBlocksReversed(blocks: readonly number[], nowUs: number): void {
    const info = this.#info;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i]!;
      const rc = --info.refCount[b]!;
      if (rc < 0) throw new Error(`BlockPool: block ${b} freed more often than used`);
      if (rc === 0) {
        info.lastAccessUs[b] = nowUs;
        this.#eviction.onFree(b, nowUs);
      }
    }
  }

  /** Put blocks[from..to) of a request into the prefix cache under their hashes. */
  cacheFullBlocks(blocks: readonly number[], hashes: readonly BlockHash[], from: number, to: number): void {
    const info = this.#info;
    for (let i = from; i < to; i++) {
      const b = blocks[i]!;
      const h = hashes[i]!;
      if (!Number.isNaN(info.hash[b]!)) throw new Error(`BlockPool: block ${b} is already cached`);
      info.hash[b] = h;
      this.#index.add(h, b);
    }
  }

  /**
   * Drop every cached hash (a `kv-loss` fault or vLLM's reset_prefix_cache). Blocks in use
   * stay allocated; only their cache identity is lost.
   */
  dropPrefixCache(): number {
    const info = this.#info;
    let dropped = 0;
    for (let b = 1; b < this.numBlocks; b++) {
      if (!Number.isNaN(info.hash[b]!)) {
        info.hash[b] = NaN;
        dropped++;
      }
    }
    this.#index.clear();
    return dropped;
  }

  /**
   * Throw unless every ref count is >= 0 and the free set is exactly the ref-count-0 blocks
   * (so free + in use = total). Holders' lists are checked against ref counts by the engine.
   */
  checkConservation(): void {
    const info = this.#info;
    let zero = 0;
    for (let b = 1; b < this.numBlocks; b++) {
      const rc = info.refCount[b]!;
      if (rc < 0) throw new Error(`KV conservation: block ${b} has ref count ${rc}`);
      if (rc === 0) zero++;
    }
    if (zero !== this.#eviction.size) {
      throw new Error(`KV conservation: ${zero} blocks with ref count 0 but ${this.#eviction.size} in the free set`);
    }
  }

  // An owner's declared hints, read once per allocation or hit rather than once per block (a
  // prefill takes ~100 blocks at a time); fields, not an object, so nothing is allocated.
  #readOwner(owner: BlockOwner): void {
    this.#ownerExpectedReuseUs = owner.expectedReuseUs ?? owner.hints?.expectedReuseUs ?? NaN;
    // No next use declared = Infinity, nothing declared = NaN.
    this.#ownerStepsToReuse = owner.hints ? (owner.hints.stepsToReuse ?? Infinity) : NaN;
    this.#ownerToolWaitUs = owner.hints?.toolWaitUs ?? NaN;
  }

  // Stamp block b with the owner read by #readOwner.
  #stamp(b: number, nowUs: number, owner: BlockOwner): void {
    const info = this.#info;
    info.lastAccessUs[b] = nowUs;
    info.priority[b] = owner.priority;
    info.workflowIds[b] = owner.workflowId;
    info.agentIds[b] = owner.agentId;
    info.expectedReuseUs[b] = this.#ownerExpectedReuseUs;
    // A block another request holds at the same time is reused by both: keep the nearer next
    // use (KVFlow's min over the agents sharing a prefix node). The old value is read only
    // then: a block just allocated (ref count 1) would pay a cache miss for a value it drops.
    const steps = this.#ownerStepsToReuse;
    if (info.refCount[b]! > 1) {
      const prev = info.stepsToReuse[b]!;
      info.stepsToReuse[b] = prev < steps ? prev : steps;
    } else {
      info.stepsToReuse[b] = steps;
    }
    info.toolWaitUs[b] = this.#ownerToolWaitUs;
  }

  // vLLM's _maybe_evict_cached_block.
  #maybeEvict(b: number, nowUs: number): void {
    const info = this.#info;
    const h = info.hash[b]!;
    if (Number.isNaN(h)) return;
    // Before the block's identity is overwritten: a listener may read its owner stamps.
    this.onEvicted?.(h, b, nowUs);
    info.hash[b] = NaN;
    this.#evictions++;
    if (!this.#index.remove(h, b)) throw new Error(`BlockPool: cached block ${b} missing from the index`);
  }
}
