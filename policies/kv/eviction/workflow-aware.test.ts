import { describe, expect, it } from 'vitest';
import { instantiate } from '../../registry.js';
import { EVICTION_POLICIES } from '../registry.js';
import { WorkflowAwareEviction } from './workflow-aware.js';
import type { EvictionPolicy } from './types.js';
import { testBlockInfo } from './testing.js';

/** A BlockInfo of `n` blocks, every block cached (hash = id + 1), outside any workflow, priority 0. */
function fakeInfo(n: number) {
  const wf: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const info = testBlockInfo(n, { cached: true, workflowOf: (b) => wf[b] });
  /** Frees `blocks` of workflow `w` at `nowUs`. */
  const free = (p: EvictionPolicy, w: string | undefined, blocks: number[], nowUs: number, priority = 0) => {
    for (const b of blocks) {
      wf[b] = w;
      info.priority[b] = priority;
      p.onFree(b, nowUs);
    }
  };
  return { info, free };
}

const popN = (p: EvictionPolicy, k: number, nowUs: number) => Array.from({ length: k }, () => p.popFree(nowUs));

describe('WorkflowAwareEviction', () => {
  it('takes empty blocks (block 0 included), then orphans, then workflows; empties throw', () => {
    const { info, free } = fakeInfo(6);
    const p = new WorkflowAwareEviction(0, 0);
    p.init([0], info);
    expect(p.name).toBe('workflow-aware');
    free(p, 'w', [3], 10);
    free(p, undefined, [1], 20); // orphan
    info.hash[2] = NaN;
    free(p, 'w', [2], 30); // not cached: empty
    expect(p.size).toBe(4);
    expect(popN(p, 4, 40)).toEqual([0, 2, 1, 3]);
    expect(p.size).toBe(0);
    expect(p.stats()).toEqual({ emptyBlocks: 2, orphanBlocks: 1, workflowBlocks: 1, workflowsEvicted: 1, reservedTaken: 0 });
    expect(() => p.popFree(50)).toThrow('workflow-aware: no free blocks');
    // A failed pick counts nothing.
    expect(p.stats()).toEqual({ emptyBlocks: 2, orphanBlocks: 1, workflowBlocks: 1, workflowsEvicted: 1, reservedTaken: 0 });
  });

  it('block 0 as an orphan is taken like any other', () => {
    const { info, free } = fakeInfo(4);
    const p = new WorkflowAwareEviction(0, 0);
    p.init([], info);
    free(p, undefined, [0, 1], 10);
    expect(popN(p, 2, 20)).toEqual([0, 1]);
    expect(p.stats()).toMatchObject({ orphanBlocks: 2, emptyBlocks: 0 });
  });

  it('a hit removes the block; a hit on a block that is not free throws', () => {
    const { info, free } = fakeInfo(4);
    const p = new WorkflowAwareEviction(0, 0);
    p.init([0], info);
    free(p, 'w', [1, 2], 10);
    p.onTouch(1);
    expect(p.size).toBe(2);
    expect(() => p.onTouch(1)).toThrow('workflow-aware: block 1 is not free');
    expect(popN(p, 2, 20)).toEqual([0, 2]);
    p.init([0, 1], info);
    p.onTouch(0); // a hit on an empty block (list 0)
    expect(p.size).toBe(1);
    expect(p.popFree(30)).toBe(1);
  });

  it('equal keys: the workflow of the lower group goes first; a workflow emptied by hits frees its group for the next one', () => {
    const { info, free } = fakeInfo(10);
    const p = new WorkflowAwareEviction(0, 0);
    p.init([], info);
    free(p, 'a', [1, 2], 100); // group 2
    free(p, 'b', [3, 4], 100); // group 3
    p.onTouch(1);
    p.onTouch(2); // 'a' has no free block left: group 2 is recycled
    free(p, 'c', [5, 6], 100); // reuses group 2; same key (100) as 'b'
    // Keys tie at 100 (strict <): the first group scanned wins, group 2 = 'c'.
    expect(popN(p, 4, 200)).toEqual([5, 6, 3, 4]);
    expect(p.stats()).toMatchObject({ workflowsEvicted: 2, workflowBlocks: 4 });
  });

  it('a workflow emptied by evictions frees its group, and is no longer the victim', () => {
    const { info, free } = fakeInfo(10);
    const p = new WorkflowAwareEviction(0, 0);
    p.init([], info);
    free(p, 'a', [1], 100); // group 2
    free(p, 'b', [3, 4], 110); // group 3
    expect(p.popFree(150)).toBe(1); // 'a' (100) is picked and emptied: group 2 recycled
    free(p, 'c', [5, 6], 300); // takes the recycled group 2
    // A fresh pick: 'b' (110) is older than 'c' (300).
    expect(popN(p, 4, 400)).toEqual([3, 4, 5, 6]);
    expect(p.stats()).toMatchObject({ workflowsEvicted: 3, workflowBlocks: 5 });
  });

  it('once a workflow is picked its blocks all go first, even if a newly freed workflow now ranks lower', () => {
    const { info, free } = fakeInfo(10);
    const p = new WorkflowAwareEviction(1000, 0); // one priority step = 1 ms
    p.init([], info);
    free(p, 'a', [1], 100); // group 2
    free(p, 'b', [2, 3, 4], 200); // group 3
    p.onTouch(1); // group 2 recycled while nothing is the victim
    expect(p.popFree(300)).toBe(2); // 'b' is the victim
    // 'c' (group 2): key 400 − 5 × 1000 = −4600 < 'b' 200, but 'b' is being evicted.
    free(p, 'c', [5], 400, 5);
    free(p, 'x', [6, 7], 400); // group 4
    p.onTouch(6);
    p.onTouch(7); // 'x' (not the victim) recycled: 'b' stays the victim
    expect(popN(p, 3, 500)).toEqual([3, 4, 5]);
  });

  it('key = last use − priority × weight; a tie goes to the earlier group', () => {
    const { info, free } = fakeInfo(10);
    const p = new WorkflowAwareEviction(1000, 0);
    p.init([], info);
    free(p, 'old', [1], 1000, 0); // key 1000
    free(p, 'new', [2], 3000, 2); // key 3000 − 2 × 1000 = 1000: tie, 'old' (group 2) first
    free(p, 'low', [3], 5000, 5); // key 5000 − 5000 = 0: first
    expect(popN(p, 3, 6000)).toEqual([3, 1, 2]);
  });

  it('protectActiveMs: a workflow used less than the window ago is reserved; exactly the window ago it is not', () => {
    const { info, free } = fakeInfo(10);
    const p = new WorkflowAwareEviction(1000, 50_000);
    p.init([], info);
    free(p, 'a', [1], 1000, 5); // key 1000 − 5000 = −4000; at 51 000 it is exactly 50 ms old
    free(p, 'b', [2], 500, 0); // key 500, older
    expect(p.popFree(51_000)).toBe(1); // neither reserved: the lower key
    expect(p.stats()).toMatchObject({ reservedTaken: 0 });
    free(p, 'c', [3], 60_000, 5); // key 60 000 − 5000 = 55 000, reserved at 100 000 (40 ms old)
    expect(p.popFree(100_000)).toBe(2); // 'b' 99.5 ms old: unreserved, taken first
    expect(p.popFree(100_000)).toBe(3); // only 'c' is left: taken although reserved
    expect(p.stats()).toMatchObject({ workflowsEvicted: 3, reservedTaken: 1 });
  });

  it('an unreserved workflow scanned after a reserved one replaces it; a reserved one never replaces an unreserved one', () => {
    const { info, free } = fakeInfo(10);
    const p = new WorkflowAwareEviction(1000, 50_000);
    p.init([], info);
    free(p, 'r', [1], 0); // group 2
    free(p, 'u', [2], 10); // group 3, key 10: unreserved at 100 000
    free(p, 'r', [3], 90_000); // 'r' used 10 ms ago: reserved
    free(p, 'v', [4], 95_000, 100); // group 4, key 95 000 − 100 000 = −5000 but reserved
    expect(p.popFree(100_000)).toBe(2);
    expect(p.stats()).toMatchObject({ reservedTaken: 0 });
  });

  it('the registry entry: priorityWeightMs 10 000 and protectActiveMs 0 by default, in ms', () => {
    const make = (options: Record<string, unknown>) =>
      instantiate<EvictionPolicy>(EVICTION_POLICIES, { kind: 'workflow-aware', options }, { blockSize: 16 }, 'eviction policy');
    expect(EVICTION_POLICIES['workflow-aware'].summary).toMatch(/^empty blocks, then orphans, then whole workflows/);
    const { info, free } = fakeInfo(6);
    const p = make({});
    p.init([], info);
    // key(a) = 10 000 001 − 1 × 10 000 000 = 1 < key(b) = 2: 'a' first although more recent.
    free(p, 'b', [1], 2);
    free(p, 'a', [2], 10_000_001, 1);
    expect(p.popFree(10_000_002)).toBe(2);
    const q = make({ priorityWeightMs: 0.001, protectActiveMs: 0.01 }); // 1 µs, 10 µs
    const f2 = fakeInfo(6);
    q.init([], f2.info);
    f2.free(q, 'b', [1], 0); // key 0
    f2.free(q, 'a', [2], 5, 6); // key 5 − 6 = −1, but 5 µs old at 10: reserved
    expect(q.popFree(10)).toBe(1);
    expect(() => make({ priorityWeightMs: -1 })).toThrow();
    expect(() => make({ protectActiveMs: -1 })).toThrow();
  });
});
