import { z } from 'zod';
import { definePolicy } from '../../registry.js';
import { BlockLists } from './block-lists.js';
import type { BlockInfo, EvictionPolicy } from './types.js';

/**
 * KVFlow's workflow-aware eviction (Pan et al., "KVFlow: Efficient Prefix Caching for
 * Accelerating LLM-Based Multi-Agent Workflows", 2025): each cached block carries the
 * steps-to-execution of the agents that will reuse it (from the workflow's Agent Step Graph)
 * and the block whose next use is furthest away is evicted first. Here the steps come from the
 * call's declared hint (LLM steps until the next call of the workflow that shares the prompt's
 * prefix, the minimum over requests holding the block at once), stamped when the block was last
 * used; the policy never sees the future. Order: empty blocks, then blocks never used again
 * (Infinity), then by steps, furthest first, blocks with steps >= maxSteps or no declared hint
 * counting as maxSteps; least recently freed first within a step. KVFlow also re-evaluates the
 * steps as the workflow advances and prefetches from CPU memory; neither is modelled (no CPU
 * tier in this engine).
 */
export class StepsToExecutionEviction implements EvictionPolicy {
  readonly name = 'steps-to-execution';
  readonly #maxSteps: number;
  #lists = new BlockLists(0, 0);
  #info: BlockInfo | undefined;
  #size = 0;
  readonly #popsByList: number[] = [];

  constructor(maxSteps: number) {
    this.#maxSteps = maxSteps;
  }

  get size(): number {
    return this.#size;
  }

  // List 0: empty blocks; 1: never used again; 2 + (maxSteps − s): s steps away (furthest first).
  init(blockIds: readonly number[], info: BlockInfo): void {
    this.#info = info;
    this.#lists = new BlockLists(info.numBlocks, this.#maxSteps + 3);
    for (const b of blockIds) this.#lists.pushBack(0, b);
    this.#size = blockIds.length;
    this.#popsByList.length = 0;
    for (let i = 0; i < this.#maxSteps + 3; i++) this.#popsByList.push(0);
  }

  onFree(blockId: number): void {
    const info = this.#info!;
    this.#size++;
    if (Number.isNaN(info.hash[blockId]!)) {
      this.#lists.pushBack(0, blockId);
      return;
    }
    const s = info.stepsToReuse[blockId]!;
    const list = s === Infinity ? 1 : 2 + this.#maxSteps - (Number.isNaN(s) ? this.#maxSteps : Math.max(0, Math.min(this.#maxSteps, Math.floor(s))));
    this.#lists.pushBack(list, blockId);
  }

  onTouch(blockId: number): void {
    if (this.#lists.remove(blockId) < 0) throw new Error(`steps-to-execution: block ${blockId} is not free`);
    this.#size--;
  }

  popFree(): number {
    const lists = this.#lists;
    for (let l = 0; l < lists.numLists; l++) {
      const b = lists.popFront(l);
      if (b >= 0) {
        this.#size--;
        this.#popsByList[l]!++;
        return b;
      }
    }
    throw new Error('steps-to-execution: no free blocks');
  }

  stats(): Record<string, number> {
    const p = this.#popsByList;
    let stepped = 0;
    for (let l = 2; l < p.length; l++) stepped += p[l]!;
    return { emptyBlocks: p[0] ?? 0, neverReusedBlocks: p[1] ?? 0, steppedBlocks: stepped, nearestEvicted: p[p.length - 1] ?? 0 };
  }
}

/** Registry entry for `eviction: steps-to-execution`. */
export const stepsToExecutionFactory = definePolicy({
  summary: "KVFlow: evict the blocks whose declared next use is the most workflow steps away",
  options: z.strictObject({
    /** Steps at and beyond this count as equally far (and undeclared blocks count as this far). */
    maxSteps: z.int().positive().max(1000).default(8),
  }),
  make: (o) => new StepsToExecutionEviction(o.maxSteps),
});
