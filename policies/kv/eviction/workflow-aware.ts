import { z } from 'zod';
import { definePolicy } from '../../registry.js';
import { BlockLists } from './block-lists.js';
import type { BlockInfo, EvictionPolicy } from './types.js';

const UNCACHED = 0;
const ORPHANS = 1;
const FIRST_GROUP = 2;

/**
 * Workflow-aware eviction (the seed design of production-stack issue #244): free blocks that
 * hold nothing go first, then orphans (cached blocks last used outside any workflow), then whole
 * workflows one at a time, the workflow with the lowest lastUse − priority × priorityWeightUs
 * first (least recent, and with vLLM's convention a larger priority number is less important).
 * Once a workflow is picked, all its free blocks go before the next workflow is considered, in
 * the order they were freed (a request's tail before its prefix, as in vLLM). With
 * protectActiveMs > 0, workflows that freed or hit a block within that window are reserved:
 * taken only when no other free block is left.
 */
export class WorkflowAwareEviction implements EvictionPolicy {
  readonly name = 'workflow-aware';
  readonly #priorityWeightUs: number;
  readonly #protectActiveUs: number;
  #lists = new BlockLists(0, FIRST_GROUP);
  #info: BlockInfo | undefined;
  readonly #groupOf = new Map<string, number>();
  readonly #groupName: (string | undefined)[] = [];
  readonly #lastUseUs: number[] = [];
  readonly #priority: number[] = [];
  readonly #freeGroups: number[] = [];
  #victim = -1;
  #size = 0;
  readonly #counters = { emptyBlocks: 0, orphanBlocks: 0, workflowBlocks: 0, workflowsEvicted: 0, reservedTaken: 0 };

  constructor(priorityWeightUs: number, protectActiveUs: number) {
    this.#priorityWeightUs = priorityWeightUs;
    this.#protectActiveUs = protectActiveUs;
  }

  get size(): number {
    return this.#size;
  }

  init(blockIds: readonly number[], info: BlockInfo): void {
    this.#info = info;
    this.#lists = new BlockLists(info.numBlocks, FIRST_GROUP);
    for (const b of blockIds) this.#lists.pushBack(UNCACHED, b);
    this.#size = blockIds.length;
  }

  onFree(blockId: number, nowUs: number): void {
    const info = this.#info!;
    this.#size++;
    if (Number.isNaN(info.hash[blockId]!)) {
      this.#lists.pushBack(UNCACHED, blockId);
      return;
    }
    const wf = info.workflowId(blockId);
    if (wf === undefined) {
      this.#lists.pushBack(ORPHANS, blockId);
      return;
    }
    const g = this.#group(wf);
    this.#lastUseUs[g] = nowUs;
    this.#priority[g] = info.priority[blockId]!;
    this.#lists.pushBack(g, blockId);
  }

  onTouch(blockId: number): void {
    const list = this.#lists.remove(blockId);
    if (list < 0) throw new Error(`workflow-aware: block ${blockId} is not free`);
    this.#size--;
    if (list >= FIRST_GROUP) this.#maybeRecycle(list);
  }

  popFree(nowUs: number): number {
    const lists = this.#lists;
    let b = lists.popFront(UNCACHED);
    if (b >= 0) {
      this.#counters.emptyBlocks++;
    } else if ((b = lists.popFront(ORPHANS)) >= 0) {
      this.#counters.orphanBlocks++;
    } else {
      if (this.#victim < 0 || lists.size(this.#victim) === 0) this.#victim = this.#pickVictim(nowUs);
      const g = this.#victim;
      if (g < 0) throw new Error('workflow-aware: no free blocks');
      b = lists.popFront(g);
      this.#counters.workflowBlocks++;
      this.#maybeRecycle(g);
    }
    this.#size--;
    return b;
  }

  stats(): Record<string, number> {
    return { ...this.#counters };
  }

  #pickVictim(nowUs: number): number {
    let best = -1;
    let bestKey = Infinity;
    let bestReserved = true;
    const lists = this.#lists;
    for (let g = FIRST_GROUP; g < lists.numLists; g++) {
      if (lists.size(g) === 0) continue;
      const last = this.#lastUseUs[g]!;
      const reserved = this.#protectActiveUs > 0 && nowUs - last < this.#protectActiveUs;
      const key = last - this.#priority[g]! * this.#priorityWeightUs;
      if (best < 0 || (bestReserved && !reserved) || (reserved === bestReserved && key < bestKey)) {
        best = g;
        bestKey = key;
        bestReserved = reserved;
      }
    }
    if (best >= 0) {
      this.#counters.workflowsEvicted++;
      if (bestReserved) this.#counters.reservedTaken++;
    }
    return best;
  }

  #group(wf: string): number {
    let g = this.#groupOf.get(wf);
    if (g !== undefined) return g;
    g = this.#freeGroups.pop();
    if (g === undefined) {
      g = this.#lists.numLists;
      this.#lists.ensureLists(g + 1);
    }
    this.#groupOf.set(wf, g);
    this.#groupName[g] = wf;
    return g;
  }

  // A workflow with no free blocks left is forgotten so the group table stays bounded.
  #maybeRecycle(g: number): void {
    if (this.#lists.size(g) > 0) return;
    const wf = this.#groupName[g];
    if (wf === undefined) return;
    this.#groupOf.delete(wf);
    this.#groupName[g] = undefined;
    this.#freeGroups.push(g);
    if (this.#victim === g) this.#victim = -1;
  }
}

/** Registry entry for `eviction: workflow-aware`. */
export const workflowAwareEvictionFactory = definePolicy({
  summary: 'empty blocks, then orphans, then whole workflows by recency and priority (production-stack #244 seed design)',
  options: z.strictObject({
    /** How much one priority step counts against recency, ms (a larger priority number is evicted earlier). */
    priorityWeightMs: z.number().nonnegative().default(10_000),
    /** Reserve workflows active within this window (0: off). */
    protectActiveMs: z.number().nonnegative().default(0),
  }),
  make: (o) => new WorkflowAwareEviction(o.priorityWeightMs * 1000, o.protectActiveMs * 1000),
});
