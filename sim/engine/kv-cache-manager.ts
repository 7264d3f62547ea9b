import type { BlockHash } from '../../policies/types.js';
import { BlockPool } from './block-pool.js';
import type { KvRequest } from '../../policies/kv/request.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';


/** Does `b`'s last user differ from `req` (another agent, or another workflow)? */
function foreignBlock(info: { workflowId(b: number): string | undefined; agentId(b: number): string | undefined }, b: number, req: KvRequest): boolean {
  return info.agentId(b) !== req.agentId || info.workflowId(b) !== req.workflowId;
}

/** Static configuration of one instance's KV cache. */
export interface KvCacheConfig {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly enablePrefixCaching: boolean;
  readonly maxModelLen: number;
}

/** vLLM's PrefixCacheStats: tokens queried and hit, split by whether the request was preempted. */
export interface PrefixCacheStats {
  requests: number;
  queries: number;
  hits: number;
  preemptedRequests: number;
  preemptedQueries: number;
  preemptedHits: number;
}

/**
 * vLLM v1's KVCacheManager with one full-attention group (vllm/v1/core/kv_cache_manager.py and
 * single_type_kv_cache_manager.py's FullAttentionManager) over a {@link BlockPool}.
 * Allocation is per block; nothing here runs per token.
 */
export class KvCacheManager {
  readonly pool: BlockPool;
  readonly config: KvCacheConfig;
  readonly stats: PrefixCacheStats = {
    requests: 0, queries: 0, hits: 0, preemptedRequests: 0, preemptedQueries: 0, preemptedHits: 0,
  };
  /** Blocks found by the last {@link getComputedBlocks} (reused; copy if you keep it). */
  readonly hitBlocks: number[] = [];
  /** Tokens of the last hit whose blocks were last used by another agent or workflow. */
  lastHitCrossAgentTokens = 0;
  /** Σ of {@link lastHitCrossAgentTokens} over admitted requests. */
  crossAgentHits = 0;

  constructor(config: KvCacheConfig, eviction: EvictionPolicy) {
    this.config = config;
    this.pool = new BlockPool(config.numBlocks, config.enablePrefixCaching, eviction);
  }

  get blockSize(): number {
    return this.config.blockSize;
  }

  /**
   * vLLM's get_computed_blocks: the longest run of cached blocks from the start of the request,
   * capped at num_tokens - 1 so the last token is always recomputed (its logits are needed);
   * the hit is a whole number of blocks. Fills {@link hitBlocks}; returns the hit in tokens.
   */
  getComputedBlocks(req: KvRequest): number {
    const hit = this.hitBlocks;
    hit.length = 0;
    this.lastHitCrossAgentTokens = 0;
    if (!this.config.enablePrefixCaching) return 0;
    const bs = this.config.blockSize;
    const info = this.pool.info;
    const maxBlocks = Math.min(Math.floor((req.numTokens - 1) / bs), req.blockHashes.length);
    for (let i = 0; i < maxBlocks; i++) {
      const b = this.pool.getCachedBlock(req.blockHashes[i]!);
      if (b < 0) break;
      hit.push(b);
      if (foreignBlock(info, b, req)) this.lastHitCrossAgentTokens += bs;
    }
    return hit.length * bs;
  }

  /**
   * Count queries and hits (and cross-agent hits of the last lookup) once a waiting request is
   * admitted (vLLM's scheduler calls
   * record_prefix_cache_stats after allocation succeeds, so retries are not double counted).
   */
  recordPrefixStats(req: KvRequest, hitTokens: number): void {
    if (!this.config.enablePrefixCaching) return;
    const s = this.stats;
    s.requests++;
    s.queries += req.numTokens;
    s.hits += hitTokens;
    this.crossAgentHits += this.lastHitCrossAgentTokens;
    if (req.preemptions > 0) {
      s.preemptedRequests++;
      s.preemptedQueries += req.numTokens;
      s.preemptedHits += hitTokens;
    }
  }

  /** Blocks `allocateSlots` would take from the free set (vLLM's get_num_blocks_to_allocate). */
  blocksToAllocate(req: KvRequest, numNewTokens: number, newComputedBlocks: readonly number[], numNewComputedTokens: number): number {
    const numComputed = req.numComputedTokens + numNewComputedTokens;
    const needSlots = Math.min(numComputed + numNewTokens, this.config.maxModelLen);
    const required = Math.ceil(needSlots / this.config.blockSize);
    const newBlocks = required - newComputedBlocks.length - req.blocks.length;
    let evictableHits = 0;
    const rc = this.pool.info.refCount;
    for (let i = 0; i < newComputedBlocks.length; i++) if (rc[newComputedBlocks[i]!] === 0) evictableHits++;
    return Math.max(0, newBlocks) + evictableHits;
  }

  /**
   * vLLM's allocate_slots: blocks for computed + new tokens, minus blocks already held and hit
   * blocks, plus hit blocks that sit in the free set (touching them takes them out of it).
   * Returns false, changing nothing, when that exceeds the free set; no watermark in v1.
   * Then caches every block that the new tokens make full.
   */
  allocateSlots(
    req: KvRequest,
    numNewTokens: number,
    numNewComputedTokens: number,
    newComputedBlocks: readonly number[],
    nowUs: number,
    delayCacheBlocks = false,
  ): boolean {
    const bs = this.config.blockSize;
    const numComputed = req.numComputedTokens + numNewComputedTokens;
    const needSlots = Math.min(numComputed + numNewTokens, this.config.maxModelLen);
    const required = Math.ceil(needSlots / bs);
    // A decode step inside the last block needs nothing from the free set: skip the count.
    const needsBlocks = newComputedBlocks.length > 0 || required > req.blocks.length;
    if (needsBlocks && this.blocksToAllocate(req, numNewTokens, newComputedBlocks, numNewComputedTokens) > this.pool.numFree) return false;

    if (newComputedBlocks.length > 0) {
      this.pool.touch(newComputedBlocks, nowUs, req);
      for (let i = 0; i < newComputedBlocks.length; i++) req.blocks.push(newComputedBlocks[i]!);
      // save_new_computed_blocks: the hit blocks count as already cached for this request.
      req.numCachedBlocks = req.blocks.length;
    }
    const missing = required - req.blocks.length;
    if (missing > 0) this.pool.getNewBlocks(missing, nowUs, req, req.blocks);

    // vLLM's delay_cache_blocks: blocks a KV connector is still loading into are not cached yet.
    if (!delayCacheBlocks) this.cacheBlocks(req, Math.min(numComputed + numNewTokens, req.numTokens));
    return true;
  }

  /**
   * Would `allocateSlots(req, 1, 0, [])` change anything for a decoding request (all tokens but
   * the last computed)? True when it needs a new block or its last token fills a block to cache;
   * otherwise that call is a no-op, which lets a steady decode step skip it. Mirrors the
   * arithmetic of {@link allocateSlots} and {@link cacheBlocks} for that case.
   */
  decodeNeedsSlots(req: KvRequest): boolean {
    const bs = this.config.blockSize;
    const tokens = req.numTokens; // numComputedTokens + 1
    if (Math.ceil(Math.min(tokens, this.config.maxModelLen) / bs) > req.blocks.length) return true;
    if (!this.config.enablePrefixCaching) return false;
    return Math.min(Math.floor(tokens / bs), req.blockHashes.length) > req.numCachedBlocks;
  }

  /** vLLM's cache_blocks: put the request's full blocks up to `numTokens` into the prefix cache. */
  cacheBlocks(req: KvRequest, numTokens: number): void {
    if (!this.config.enablePrefixCaching) return;
    const numFull = Math.min(Math.floor(numTokens / this.config.blockSize), req.blockHashes.length);
    if (numFull > req.numCachedBlocks) {
      this.pool.cacheFullBlocks(req.blocks, req.blockHashes, req.numCachedBlocks, numFull);
      req.numCachedBlocks = numFull;
    }
  }

  /** vLLM's free: release the request's blocks in reverse order (tail evicted first). */
  free(req: KvRequest, nowUs: number): void {
    this.pool.freeBlocksReversed(req.blocks, nowUs);
    req.blocks.length = 0;
    req.numCachedBlocks = 0;
  }

  /** Length in blocks of the longest cached prefix of `hashes` (exact, for simulated routing). */
  cachedPrefixBlocks(hashes: readonly BlockHash[]): number {
    if (!this.config.enablePrefixCaching) return 0;
    let n = 0;
    while (n < hashes.length && this.pool.getCachedBlock(hashes[n]!) >= 0) n++;
    return n;
  }

  /** Prefix-cache hit rate so far (hits / queries), 0 when nothing was queried. */
  get hitRate(): number {
    return this.stats.queries > 0 ? this.stats.hits / this.stats.queries : 0;
  }
}
