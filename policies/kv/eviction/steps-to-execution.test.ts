import { describe, expect, it } from 'vitest';
import { instantiate } from '../../registry.js';
import { EVICTION_POLICIES } from '../registry.js';
import { StepsToExecutionEviction } from './steps-to-execution.js';
import type { EvictionPolicy } from './types.js';
import { testBlockInfo } from './testing.js';

/** A BlockInfo of `n` blocks, every block cached (hash = id + 1), no steps declared. */
const fakeInfo = (n: number) => testBlockInfo(n, { cached: true });

const popN = (p: EvictionPolicy, k: number) => Array.from({ length: k }, () => p.popFree(0));

describe('StepsToExecutionEviction', () => {
  it('orders empty, never again, then furthest steps first; counts each kind', () => {
    const info = fakeInfo(12);
    const p = new StepsToExecutionEviction(3); // lists: 0 empty, 1 never, 2..5 = 3, 2, 1, 0 steps
    p.init([0], info);
    expect(p.name).toBe('steps-to-execution');
    // Freed nearest first; [block, steps].
    const steps: [number, number][] = [[1, 0], [2, 1], [3, 2.9], [4, 3], [5, NaN], [6, 7], [7, Infinity], [8, -2]];
    for (const [b, s] of steps) {
      info.stepsToReuse[b] = s;
      p.onFree(b);
    }
    info.hash[9] = NaN; // not cached: empty, whatever its steps
    info.stepsToReuse[9] = Infinity;
    p.onFree(9);
    expect(p.size).toBe(10);
    // 0, 9 empty; 7 never; steps >= 3 or undeclared: 4, 5, 6 (free order); 2.9 → 2: 3; 1: 2; 0 and −2 → 0: 1, 8.
    expect(popN(p, 10)).toEqual([0, 9, 7, 4, 5, 6, 3, 2, 1, 8]);
    expect(p.size).toBe(0);
    // stepped = 3 + 1 + 1 + 2 = 7; nearest (0 steps) = 2.
    expect(p.stats()).toEqual({ emptyBlocks: 2, neverReusedBlocks: 1, steppedBlocks: 7, nearestEvicted: 2 });
    expect(() => p.popFree()).toThrow('steps-to-execution: no free blocks');
  });

  it('a block never used again goes before one at maxSteps freed earlier', () => {
    const info = fakeInfo(4);
    const p = new StepsToExecutionEviction(2);
    p.init([], info);
    info.stepsToReuse[0] = 2;
    info.stepsToReuse[1] = Infinity;
    p.onFree(0);
    p.onFree(1);
    expect(popN(p, 2)).toEqual([1, 0]);
    expect(p.stats()).toEqual({ emptyBlocks: 0, neverReusedBlocks: 1, steppedBlocks: 1, nearestEvicted: 0 });
  });

  it('a hit removes the block from any list, the empty list included; a block not free throws', () => {
    const info = fakeInfo(6);
    const p = new StepsToExecutionEviction(2);
    p.init([0, 1], info);
    p.onTouch(0); // in the empty list (list 0)
    info.stepsToReuse[2] = 1;
    p.onFree(2);
    p.onTouch(2);
    expect(p.size).toBe(1);
    expect(() => p.onTouch(2)).toThrow('steps-to-execution: block 2 is not free');
    expect(popN(p, 1)).toEqual([1]);
  });

  it('re-init clears the counters', () => {
    const info = fakeInfo(4);
    const p = new StepsToExecutionEviction(1);
    p.init([0, 1], info);
    popN(p, 2);
    p.init([0], info);
    expect(p.stats()).toEqual({ emptyBlocks: 0, neverReusedBlocks: 0, steppedBlocks: 0, nearestEvicted: 0 });
    info.stepsToReuse[1] = 0;
    p.onFree(1);
    expect(popN(p, 2)).toEqual([0, 1]);
    expect(p.stats()).toEqual({ emptyBlocks: 1, neverReusedBlocks: 0, steppedBlocks: 1, nearestEvicted: 1 });
  });

  it('the registry entry: maxSteps defaults to 8, an integer in 1..1000', () => {
    const make = (options: Record<string, unknown>) =>
      instantiate<EvictionPolicy>(EVICTION_POLICIES, { kind: 'steps-to-execution', options }, { blockSize: 16 }, 'eviction policy');
    expect(EVICTION_POLICIES['steps-to-execution'].summary).toMatch(/^KVFlow: evict the blocks whose declared next use/);
    const info = fakeInfo(4);
    const p = make({});
    p.init([], info);
    info.stepsToReuse[0] = 7; // list 2 + 8 − 7 = 3
    info.stepsToReuse[1] = 8; // list 2: further
    p.onFree(0, 0);
    p.onFree(1, 0);
    expect(popN(p, 2)).toEqual([1, 0]);
    expect(make({ maxSteps: 8 }).name).toBe('steps-to-execution');
    expect(make({ maxSteps: 1000 }).name).toBe('steps-to-execution');
    expect(() => make({ maxSteps: 1001 })).toThrow();
    expect(() => make({ maxSteps: 0 })).toThrow();
    expect(() => make({ maxSteps: 1.5 })).toThrow();
  });
});
