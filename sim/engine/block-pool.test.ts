import { describe, expect, it } from 'vitest';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import type { BlockInfo, EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { BlockOwner } from '../../policies/kv/request.js';
import { BlockPool } from './block-pool.js';

const owner = (over: Partial<BlockOwner> = {}): BlockOwner => ({ priority: 0, ...over });
const pool = (n = 10, caching = true) => new BlockPool(n, caching, new LruEviction());

describe('BlockPool (vllm/v1/core/block_pool.py)', () => {
  it('needs an integer of at least 2 blocks (block 0 is the null block)', () => {
    expect(() => pool(1)).toThrow("BlockPool needs at least 2 blocks (1 is vLLM's null block), got 1");
    expect(() => pool(2.5)).toThrow("BlockPool needs at least 2 blocks (1 is vLLM's null block), got 2.5");
    const two = pool(2);
    expect([two.numFree, two.numUsed]).toEqual([1, 1]);
  });

  it('reports usage as vLLM does (1 − free / total, the null block counted as used) and names its eviction policy', () => {
    const p = pool(10);
    expect(p.evictionName).toBe('lru');
    expect(p.usage).toBeCloseTo(0.1, 12); // 9 of 10 free
    p.getNewBlocks(4, 0, owner(), []);
    expect([p.numFree, p.numUsed]).toEqual([5, 5]);
    expect(p.usage).toBeCloseTo(0.5, 12);
  });

  it('refuses to hand out more blocks than are free, and to free a block more often than it was used', () => {
    const p = pool(4);
    expect(() => p.getNewBlocks(4, 0, owner(), [])).toThrow('BlockPool: cannot get 4 blocks, 3 free');
    const got: number[] = [];
    p.getNewBlocks(1, 0, owner(), got);
    p.freeBlocksReversed(got, 1);
    expect(() => p.freeBlocksReversed(got, 2)).toThrow(`BlockPool: block ${got[0]} freed more often than used`);
  });

  it('refuses an eviction policy that hands out a block in use', () => {
    // A broken policy: always block 1, even when it is taken.
    const broken: EvictionPolicy = { name: 'broken', size: 3, init() {}, onFree() {}, onTouch() {}, popFree: () => 1 };
    const p = new BlockPool(4, true, broken);
    p.getNewBlocks(1, 0, owner(), []);
    expect(() => p.getNewBlocks(1, 0, owner(), [])).toThrow('eviction policy broken returned block 1 in use');
  });

  it('caches a block once; evicting it on reuse tells the listener and counts, with caching on only', () => {
    const p = pool(3); // blocks 1, 2
    const blocks: number[] = [];
    p.getNewBlocks(2, 0, owner(), blocks);
    p.cacheFullBlocks(blocks, [111, 222], 0, 2);
    expect(() => p.cacheFullBlocks(blocks, [111, 222], 1, 2)).toThrow(`BlockPool: block ${blocks[1]} is already cached`);
    expect([p.numCachedBlocks, p.getCachedBlock(222), p.getCachedBlock(333)]).toEqual([2, blocks[1], -1]);
    p.freeBlocksReversed(blocks, 5);
    const evicted: [number, number, number][] = [];
    p.onEvicted = (hash, block, nowUs) => void evicted.push([hash, block, nowUs]);
    // Freed in reverse: block 2 (hash 222) first, so it is handed out first.
    p.getNewBlocks(1, 7, owner(), []);
    expect(evicted).toEqual([[222, blocks[1], 7]]);
    expect([p.evictions, p.numCachedBlocks, p.getCachedBlock(222), p.getCachedBlock(111)]).toEqual([1, 1, -1, blocks[0]]);

    // Without caching the pool never evicts, even a block that holds a hash.
    const off = pool(2, false);
    const b: number[] = [];
    off.getNewBlocks(1, 0, owner(), b);
    off.cacheFullBlocks(b, [9], 0, 1);
    off.freeBlocksReversed(b, 1);
    off.getNewBlocks(1, 2, owner(), []);
    expect(off.evictions).toBe(0);
  });

  it('dropPrefixCache forgets every cached hash and says how many, keeping blocks in use', () => {
    const p = pool(6);
    const blocks: number[] = [];
    p.getNewBlocks(3, 0, owner(), blocks);
    p.cacheFullBlocks(blocks, [1, 2], 0, 2); // 2 of the 3 cached
    expect(p.dropPrefixCache()).toBe(2);
    expect([p.numCachedBlocks, p.getCachedBlock(1), p.numFree]).toEqual([0, -1, 2]);
    expect(p.dropPrefixCache()).toBe(0);
  });

  it('checkConservation catches a free set that disagrees with the ref counts', () => {
    const p = pool(4);
    p.getNewBlocks(1, 0, owner(), []);
    expect(() => p.checkConservation()).not.toThrow();
    // A policy that forgets a block: 3 blocks at ref count 0 but it says 2 are free.
    const lossy: EvictionPolicy = { name: 'lossy', size: 2, init() {}, onFree() {}, onTouch() {}, popFree: () => 1 };
    expect(() => new BlockPool(4, true, lossy).checkConservation()).toThrow('KV conservation: 3 blocks with ref count 0 but 2 in the free set');
  });

  it('checkConservation names a block whose ref count went negative before comparing counts', () => {
    // freeBlocksReversed refuses to go below 0, so only a corrupted table gets here: block 2 at
    // −1 leaves 2 blocks at 0 against 3 in the free set, which alone would report the counts.
    const p = pool(4);
    p.info.refCount[2] = -1;
    expect(() => p.checkConservation()).toThrow('KV conservation: block 2 has ref count -1');
  });

  it('stamps each block with its last owner and the owner\'s declared hints', () => {
    const p = pool(6);
    const info: BlockInfo = p.info;
    const a: number[] = [];
    p.getNewBlocks(1, 100, owner({ workflowId: 'w', agentId: 'x', priority: 2, expectedReuseUs: 5000, hints: { stepsToReuse: 3, toolWaitUs: 700 } }), a);
    const b = a[0]!;
    expect([info.workflowId(b), info.agentId(b), info.priority[b], info.lastAccessUs[b]]).toEqual(['w', 'x', 2, 100]);
    expect([info.expectedReuseUs[b], info.stepsToReuse[b], info.toolWaitUs[b]]).toEqual([5000, 3, 700]);
    // A second holder declaring a later reuse keeps the nearer one (3); its own figures otherwise.
    p.touch(a, 200, owner({ workflowId: 'v', agentId: 'y', priority: 1, hints: { stepsToReuse: 8, expectedReuseUs: 900 } }));
    expect([info.workflowId(b), info.agentId(b), info.priority[b], info.lastAccessUs[b]]).toEqual(['v', 'y', 1, 200]);
    expect([info.expectedReuseUs[b], info.stepsToReuse[b], info.toolWaitUs[b]]).toEqual([900, 3, NaN]);
    // A nearer reuse wins; a lone holder (ref count 1) sets its own even when later.
    p.touch(a, 300, owner({ hints: { stepsToReuse: 1 } }));
    expect(info.stepsToReuse[b]).toBe(1);
    const c: number[] = [];
    p.getNewBlocks(1, 400, owner({ hints: { stepsToReuse: 4 } }), c);
    p.freeBlocksReversed(c, 450);
    p.touch(c, 500, owner({ hints: { stepsToReuse: 6 } }));
    expect(info.stepsToReuse[c[0]!]).toBe(6);
    // Hints without a next use: Infinity (never again); no hints at all: NaN (nothing declared).
    const d: number[] = [];
    p.getNewBlocks(2, 600, owner({ hints: {} }), d);
    expect(info.stepsToReuse[d[0]!]).toBe(Infinity);
    p.freeBlocksReversed(d, 650);
    expect(info.lastAccessUs[d[0]!]).toBe(650); // freeing counts as an access
    const e: number[] = [];
    p.getNewBlocks(1, 700, owner(), e);
    expect([info.stepsToReuse[e[0]!], info.expectedReuseUs[e[0]!], info.workflowId(e[0]!), info.agentId(e[0]!)]).toEqual([NaN, NaN, undefined, undefined]);
  });
});
