import { describe, expect, it } from 'vitest';
import { instantiate } from '../../registry.js';
import { EVICTION_POLICIES } from '../registry.js';
import { ToolTtlEviction } from './tool-ttl.js';
import type { EvictionPolicy } from './types.js';
import { testBlockInfo } from './testing.js';

/** A BlockInfo of `n` blocks, every block cached (hash = its id + 1) and no tool wait declared. */
const fakeInfo = (n: number) => testBlockInfo(n, { cached: true });

/** Pops `k` blocks at `nowUs`. */
const popN = (p: EvictionPolicy, k: number, nowUs: number) => Array.from({ length: k }, () => p.popFree(nowUs));

describe('ToolTtlEviction', () => {
  it('pins only cached blocks with a positive tool wait; the others go to the LRU tail', () => {
    const info = fakeInfo(8);
    const p = new ToolTtlEviction(1, 1e9);
    p.init([], info);
    info.toolWaitUs[1] = 0; // no wait: LRU
    info.toolWaitUs[2] = 500; // pinned until 0 + 500
    info.toolWaitUs[3] = 500;
    info.hash[3] = NaN; // not cached: nothing to keep, LRU
    // block 4: NaN wait: LRU
    for (const b of [1, 2, 3, 4]) p.onFree(b, 0);
    expect(p.size).toBe(4);
    expect(p.pinnedBlocks).toBe(1);
    expect(p.stats()).toEqual({ pinned: 1, hitsWhilePinned: 0, expired: 0, forcedEvictions: 0 });
    // At 499 block 2 is still pinned: the LRU blocks 1, 3, 4 go first, in free order.
    expect(popN(p, 3, 499)).toEqual([1, 3, 4]);
    expect(p.size).toBe(1);
    expect(p.popFree(499)).toBe(2); // forced: nothing else is free
    expect(p.stats()).toEqual({ pinned: 1, hitsWhilePinned: 0, expired: 0, forcedEvictions: 1 });
    expect(p.size).toBe(0);
    expect(() => p.popFree(499)).toThrow('tool-ttl: no free blocks');
  });

  it('TTL = min(ttlFactor × wait, maxTtl); a block expires when now reaches its expiry', () => {
    const info = fakeInfo(6);
    const p = new ToolTtlEviction(3, 1000);
    p.init([0], info); // block 0 starts free, at the LRU head
    info.toolWaitUs[1] = 200; // 3 × 200 = 600 < 1000: expiry 100 + 600 = 700
    info.toolWaitUs[2] = 400; // 3 × 400 = 1200, capped at 1000: expiry 100 + 1000 = 1100
    p.onFree(1, 100);
    p.onFree(2, 100);
    p.onFree(3, 100); // no wait: LRU, after block 0
    expect(p.pinnedBlocks).toBe(2);
    // At 699 nothing has expired: LRU head first.
    expect(p.popFree(699)).toBe(0);
    expect(p.stats().expired).toBe(0);
    // At 700 block 1 expires and joins the LRU tail, behind block 3.
    expect(p.popFree(700)).toBe(3);
    expect(p.stats().expired).toBe(1);
    expect(p.pinnedBlocks).toBe(1);
    expect(p.popFree(700)).toBe(1);
    // At 1099 block 2 is still pinned (taken only by force); at 1100 it would have expired.
    p.onFree(4, 1099); // LRU
    expect(p.popFree(1099)).toBe(4);
    expect(p.pinnedBlocks).toBe(1);
    p.onFree(5, 1099);
    expect(p.popFree(1100)).toBe(5); // block 2 expired at 1100 and went behind block 5
    expect(p.stats()).toEqual({ pinned: 2, hitsWhilePinned: 0, expired: 2, forcedEvictions: 0 });
    expect(p.popFree(1100)).toBe(2);
  });

  it('expired blocks join the LRU tail in expiry order, ties by block id', () => {
    const info = fakeInfo(8);
    const p = new ToolTtlEviction(1, 1e9);
    p.init([], info);
    // Expiries (freed at 0, factor 1): 7→300, 6→100, 5→200, 4→100, 3→50.
    const waits: [number, number][] = [[7, 300], [6, 100], [5, 200], [4, 100], [3, 50]];
    for (const [b, w] of waits) {
      info.toolWaitUs[b] = w;
      p.onFree(b, 0);
    }
    expect(p.popFree(1000)).toBe(3); // all expired at 1000: 3 (50), 4 (100, id 4 < 6), 6, 5, 7
    expect(popN(p, 4, 1000)).toEqual([4, 6, 5, 7]);
    expect(p.stats().expired).toBe(5);
  });

  it('forced evictions take the earliest expiry first, through heap removals from the middle', () => {
    const info = fakeInfo(12);
    const p = new ToolTtlEviction(2, 1e9);
    p.init([], info);
    // Expiry = 10 + 2 × wait.
    const waits: [number, number][] = [[1, 90], [2, 10], [3, 70], [4, 30], [5, 50], [6, 20], [7, 80], [8, 40], [9, 60], [10, 40]];
    for (const [b, w] of waits) {
      info.toolWaitUs[b] = w;
      p.onFree(b, 10);
    }
    expect(p.pinnedBlocks).toBe(10);
    // A hit on a pinned block unpins it: 4 (wait 30) and 9 (wait 60) leave the free set.
    p.onTouch(4);
    p.onTouch(9);
    expect(p.size).toBe(8);
    expect(p.stats()).toEqual({ pinned: 10, hitsWhilePinned: 2, expired: 0, forcedEvictions: 0 });
    // By wait: 2 (10), 6 (20), 8 (40), 10 (40, id after 8), 5 (50), 3 (70), 7 (80), 1 (90).
    expect(popN(p, 8, 0)).toEqual([2, 6, 8, 10, 5, 3, 7, 1]);
    expect(p.stats().forcedEvictions).toBe(8);
    expect(p.pinnedBlocks).toBe(0);
  });

  it('removing the last heap entry and re-pinning keeps the order', () => {
    const info = fakeInfo(6);
    const p = new ToolTtlEviction(1, 1e9);
    p.init([], info);
    for (const [b, w] of [[1, 10], [2, 20], [3, 30]] as const) {
      info.toolWaitUs[b] = w;
      p.onFree(b, 0);
    }
    p.onTouch(3); // the heap's last entry
    p.onTouch(1); // the heap's root
    info.toolWaitUs[1] = 5;
    p.onFree(1, 0);
    expect(popN(p, 2, 0)).toEqual([1, 2]);
  });

  it('equal expiries go by block id even when the larger id is pinned first', () => {
    const info = fakeInfo(8);
    const p = new ToolTtlEviction(1, 1e9);
    p.init([], info);
    info.toolWaitUs[6] = 100; // expiry 100
    info.toolWaitUs[4] = 100; // expiry 100: 4 < 6, so 4 moves above 6
    p.onFree(6, 0);
    p.onFree(4, 0);
    expect(popN(p, 2, 0)).toEqual([4, 6]);
  });

  it('after the root leaves, the smaller of its two children takes its place', () => {
    const info = fakeInfo(8);
    const p = new ToolTtlEviction(1, 1e9);
    p.init([], info);
    // Heap by expiry: [1 (10), 2 (50), 3 (20), 4 (60)]. Taking 1 moves 4 (60) to the root;
    // it must sink below the right child 3 (20), not the left child 2 (50).
    for (const [b, w] of [[1, 10], [2, 50], [3, 20], [4, 60]] as const) {
      info.toolWaitUs[b] = w;
      p.onFree(b, 0);
    }
    expect(popN(p, 4, 0)).toEqual([1, 3, 2, 4]);
  });

  it('a hit on an LRU block removes it; a hit on a block that is not free throws', () => {
    const info = fakeInfo(4);
    const p = new ToolTtlEviction(2, 1e9);
    p.init([0, 1, 2], info);
    p.onTouch(1);
    expect(p.size).toBe(2);
    expect(p.stats().hitsWhilePinned).toBe(0);
    expect(() => p.onTouch(1)).toThrow('tool-ttl: block 1 is not free');
    expect(popN(p, 2, 0)).toEqual([0, 2]);
  });

  it('the registry entry: defaults ttlFactor 2 and maxTtlS 30 (capped at 30 000 000 µs)', () => {
    const make = (options: Record<string, unknown>) =>
      instantiate<EvictionPolicy>(EVICTION_POLICIES, { kind: 'tool-ttl', options }, { blockSize: 16 }, 'eviction policy');
    const p = make({});
    expect(p.name).toBe('tool-ttl');
    expect(EVICTION_POLICIES['tool-ttl'].summary).toMatch(/^Continuum: pin a call's blocks/);
    const info = fakeInfo(4);
    p.init([], info);
    info.toolWaitUs[1] = 1e6; // 2 × 1 s = 2 s: expiry 2 000 000
    info.toolWaitUs[2] = 20e6; // 2 × 20 s = 40 s, capped at 30 s: expiry 30 000 000
    p.onFree(1, 0);
    p.onFree(2, 0);
    p.onFree(3, 0); // LRU
    expect(p.popFree(1_999_999)).toBe(3);
    p.onFree(3, 0);
    expect(p.popFree(2_000_000)).toBe(3); // 1 expired now, behind 3
    expect(p.popFree(2_000_000)).toBe(1);
    p.onFree(3, 0);
    expect(p.popFree(29_999_999)).toBe(3);
    p.onFree(3, 0);
    expect(p.popFree(30_000_000)).toBe(3);
    expect(p.stats?.()).toMatchObject({ expired: 2, forcedEvictions: 0 });
    expect(() => make({ ttlFactor: 0 })).toThrow();
    expect(() => make({ maxTtlS: 0 })).toThrow();
    expect(() => make({ other: 1 })).toThrow();
  });
});
