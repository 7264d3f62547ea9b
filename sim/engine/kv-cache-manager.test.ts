import { describe, expect, it } from 'vitest';
import { KvCacheManager } from './kv-cache-manager.js';
import type { KvRequest } from '../../policies/kv/request.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { hashBlocks, hashString, type TokenRun } from '../../policies/kv/hash.js';

const BS = 16;
const PREFIX: TokenRun = { key: hashString('shared-prefix'), start: 0, length: 40 };
const run = (label: string, length: number): TokenRun => ({ key: hashString(label), start: 0, length });

function request(id: string, runs: TokenRun[]): KvRequest {
  const tokens = runs.reduce((s, r) => s + r.length, 0);
  return {
    id, numTokens: tokens, numComputedTokens: 0, blockHashes: hashBlocks(runs, BS), blocks: [],
    numCachedBlocks: 0, preemptions: 0, priority: 0,
  };
}

function manager(numBlocks: number, caching = true) {
  const lru = new LruEviction();
  const kv = new KvCacheManager({ numBlocks, blockSize: BS, enablePrefixCaching: caching, maxModelLen: 4096 }, lru);
  return { kv, lru };
}

/** Admit a request the way the scheduler does: prefix lookup, then allocate the rest. */
function admit(kv: KvCacheManager, req: KvRequest, nowUs = 0): number {
  const hit = kv.getComputedBlocks(req);
  const ok = kv.allocateSlots(req, req.numTokens - hit, hit, kv.hitBlocks, nowUs);
  if (!ok) throw new Error('allocation failed');
  kv.recordPrefixStats(req, hit);
  req.numComputedTokens = req.numTokens;
  return hit;
}

describe('KvCacheManager (golden, vLLM v1 semantics)', () => {
  it('block 0 is the null block: usable blocks are numBlocks - 1', () => {
    const { kv, lru } = manager(10);
    expect(kv.pool.numFree).toBe(9);
    expect(lru.order()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('two requests sharing a 40-token prefix: the second hits 2 blocks (32 tokens), not 3', () => {
    const { kv } = manager(20);
    const a = request('a', [PREFIX, run('a-task', 10)]); // 50 tokens: blocks 0,1 shared, block 2 mixes prefix and task
    const b = request('b', [PREFIX, run('b-task', 10)]);
    expect(admit(kv, a)).toBe(0);
    expect(a.blocks).toEqual([1, 2, 3, 4]);
    expect(a.numCachedBlocks).toBe(3); // 50 tokens -> 3 full blocks cached, the 4th is partial
    expect(admit(kv, b)).toBe(32);
    expect(b.blocks.slice(0, 2)).toEqual([1, 2]);
    expect(kv.stats).toMatchObject({ requests: 2, queries: 100, hits: 32 });
  });

  it('the last prompt token is always recomputed, even when the whole prompt is cached', () => {
    const { kv } = manager(20);
    const first = request('first', [run('doc', 48)]); // exactly 3 full blocks
    admit(kv, first);
    kv.free(first, 1);
    const again = request('again', [run('doc', 48)]);
    // max hit = floor((48 - 1) / 16) = 2 blocks: the 3rd block is recomputed for the last token's logits.
    expect(admit(kv, again)).toBe(32);
  });

  it('frees in reverse: tail blocks are evicted before the prefix, least recently freed first', () => {
    const { kv, lru } = manager(8); // 7 usable
    const a = request('a', [run('a', 48)]); // blocks 1,2,3
    const b = request('b', [run('b', 48)]); // blocks 4,5,6
    admit(kv, a);
    admit(kv, b);
    expect(lru.order()).toEqual([7]);
    kv.free(a, 10);
    kv.free(b, 20);
    expect(lru.order()).toEqual([7, 3, 2, 1, 6, 5, 4]);
    // A new 64-token request takes the never-used block, then a's tail, then a's middle.
    const c = request('c', [run('c', 64)]);
    admit(kv, c);
    expect(c.blocks).toEqual([7, 3, 2, 1]);
    expect(kv.pool.evictions).toBe(3);
    // a's blocks are gone from the cache; b's are intact.
    expect(kv.cachedPrefixBlocks(request('a2', [run('a', 48)]).blockHashes)).toBe(0);
    expect(kv.cachedPrefixBlocks(request('b2', [run('b', 48)]).blockHashes)).toBe(3);
  });

  it('a cache hit on a free block ("touch") takes it out of the free queue', () => {
    const { kv, lru } = manager(8);
    const a = request('a', [run('doc', 33)]); // blocks 1,2 full, 3 partial
    admit(kv, a);
    kv.free(a, 5);
    expect(lru.order()).toEqual([4, 5, 6, 7, 3, 2, 1]);
    const b = request('b', [run('doc', 40)]);
    expect(admit(kv, b)).toBe(32);
    expect(b.blocks).toEqual([1, 2, 4]);
    expect(lru.order()).toEqual([5, 6, 7, 3]);
    expect(kv.pool.info.refCount[1]).toBe(1);
  });

  it('prefix-aware allocation: a prompt whose prefix is cached fits with fewer free blocks than its size', () => {
    const { kv } = manager(8); // 7 usable
    const holder = request('holder', [run('sys', 64), run('t1', 16)]); // 5 blocks, 4 of them the shared 64 tokens
    admit(kv, holder);
    expect(kv.pool.numFree).toBe(2);
    // 96 tokens = 6 blocks in total, but 4 are cached and in use: only 2 new blocks are needed.
    const next = request('next', [run('sys', 64), run('t2', 32)]);
    expect(kv.blocksToAllocate(next, 32, [1, 2, 3, 4], 64)).toBe(2);
    expect(admit(kv, next)).toBe(64);
    expect(kv.pool.numFree).toBe(0);
    // With prefix caching disabled the same request needs all 6 blocks and is refused.
    const off = manager(8, false).kv;
    admit(off, request('holder', [run('sys', 64), run('t1', 16)]));
    const offNext = request('next', [run('sys', 64), run('t2', 32)]);
    expect(off.getComputedBlocks(offNext)).toBe(0);
    expect(off.allocateSlots(offNext, 96, 0, [], 0)).toBe(false);
    expect(offNext.blocks).toEqual([]);
  });

  it('hit blocks sitting in the free queue count against the free blocks', () => {
    const { kv } = manager(6); // 5 usable
    const a = request('a', [run('doc', 64)]);
    admit(kv, a);
    kv.free(a, 1); // 4 cached blocks free, 1 never used
    const b = request('b', [run('doc', 64), run('q', 32)]);
    // The cap allows floor(95 / 16) = 5 blocks; 4 are cached.
    const hit = kv.getComputedBlocks(b);
    expect(hit).toBe(64);
    // 6 blocks needed: 4 hit (all evictable: they count) + 2 new = 6 > 5 free.
    expect(kv.blocksToAllocate(b, 32, kv.hitBlocks, hit)).toBe(6);
    expect(kv.allocateSlots(b, 32, hit, [...kv.hitBlocks], 2)).toBe(false);
  });

  it('caches blocks filled by decode', () => {
    const { kv } = manager(10);
    const runs = [run('p', 30), run('out', 10)]; // prompt 30, output 10 -> 2 full blocks over 40 tokens
    const r = request('r', runs);
    r.numTokens = 30;
    admit(kv, r);
    expect(r.numCachedBlocks).toBe(1);
    // Decode: tokens 30..33 become known and are computed one per step.
    for (let t = 30; t < 33; t++) {
      r.numTokens = t + 1;
      expect(kv.allocateSlots(r, 1, 0, [], t)).toBe(true);
      r.numComputedTokens = t + 1;
    }
    expect(r.numCachedBlocks).toBe(2);
    expect(kv.cachedPrefixBlocks(r.blockHashes)).toBe(2);
  });
});

describe('KvCacheManager: statistics and switches', () => {
  const owned = (id: string, runs: TokenRun[], workflowId: string, agentId: string, preemptions = 0): KvRequest => ({ ...request(id, runs), workflowId, agentId, preemptions });

  it('counts cross-agent hits: blocks last used by another agent or another workflow', () => {
    const { kv } = manager(20);
    const a = owned('a', [PREFIX, run('a', 24)], 'w1', 'planner'); // 64 tokens: 4 full blocks
    admit(kv, a);
    kv.free(a, 1);
    // Same workflow, another agent: the 2 prefix blocks (32 tokens) are foreign.
    const b = owned('b', [PREFIX, run('b', 24)], 'w1', 'worker');
    expect(admit(kv, b)).toBe(32);
    expect([kv.lastHitCrossAgentTokens, kv.crossAgentHits]).toEqual([32, 32]);
    kv.free(b, 2);
    // The same agent of the same workflow as the blocks' last user (b): nothing foreign.
    const c = owned('c', [PREFIX, run('c', 24)], 'w1', 'worker');
    expect(admit(kv, c)).toBe(32);
    expect([kv.lastHitCrossAgentTokens, kv.crossAgentHits]).toEqual([0, 32]);
    kv.free(c, 3);
    // The same agent name in another workflow: foreign.
    const d = owned('d', [PREFIX, run('d', 24)], 'w2', 'worker');
    admit(kv, d);
    expect([kv.lastHitCrossAgentTokens, kv.crossAgentHits]).toEqual([32, 64]);
  });

  it('splits the prefix-cache stats of preempted requests out (vLLM PrefixCacheStats), and reports the hit rate', () => {
    const { kv } = manager(20);
    expect(kv.hitRate).toBe(0); // nothing queried yet
    expect(kv.blockSize).toBe(16);
    const a = request('a', [run('doc', 64)]);
    admit(kv, a);
    kv.free(a, 1);
    const again = { ...request('a', [run('doc', 64)]), preemptions: 1 };
    expect(admit(kv, again)).toBe(48); // ⌊63 / 16⌋ = 3 blocks
    // Queries 64 + 64, hits 0 + 48; the preempted one: 1 request, 64 queried, 48 hit.
    expect(kv.stats).toEqual({ requests: 2, queries: 128, hits: 48, preemptedRequests: 1, preemptedQueries: 64, preemptedHits: 48 });
    expect(kv.hitRate).toBe(48 / 128);
  });

  it('with prefix caching off: no lookup, no stats, nothing cached, a block reused without an eviction', () => {
    const { kv } = manager(6, false);
    const a = request('a', [run('doc', 64)]);
    admit(kv, a);
    expect(a.numCachedBlocks).toBe(0);
    expect(kv.cachedPrefixBlocks(a.blockHashes)).toBe(0);
    kv.free(a, 1);
    const b = request('b', [run('doc', 64)]);
    expect(admit(kv, b)).toBe(0);
    expect(kv.stats).toEqual({ requests: 0, queries: 0, hits: 0, preemptedRequests: 0, preemptedQueries: 0, preemptedHits: 0 });
    expect([kv.pool.numCachedBlocks, kv.pool.evictions]).toEqual([0, 0]);
  });

  it('cachedPrefixBlocks stops at the first block not cached', () => {
    const { kv } = manager(20);
    admit(kv, request('a', [PREFIX, run('a', 24)]));
    // Shares blocks 0 and 1 (the 40-token prefix covers 2 full blocks), not block 2.
    expect(kv.cachedPrefixBlocks(request('q', [PREFIX, run('other', 24)]).blockHashes)).toBe(2);
    expect(kv.cachedPrefixBlocks([])).toBe(0);
  });
});
