import { z } from 'zod';
import { definePolicy } from '../../registry.js';
import { BlockLists } from './block-lists.js';
import type { BlockInfo, EvictionPolicy } from './types.js';

const LRU = 0;

/**
 * Continuum's tool-call TTL (Li et al., "Continuum: Efficient and Robust Multi-Turn LLM Agent
 * Scheduling with KV Cache Time-to-Live", 2025): when a call ends in a tool wait, its KV blocks
 * are pinned for a time-to-live sized by the expected wait, so the agent's next turn finds them;
 * when the TTL runs out they go back to ordinary LRU (vLLM's free queue). The expected wait is
 * the call's declared hint (ttl = min(ttlFactor × expected wait, maxTtlS)); expiry is decided
 * lazily with the time `popFree` is called at, so no timers are needed. Pinned blocks stay
 * evictable as a last resort (earliest expiry first) so a pinned cache never blocks admission.
 */
export class ToolTtlEviction implements EvictionPolicy {
  readonly name = 'tool-ttl';
  readonly #ttlFactor: number;
  readonly #maxTtlUs: number;
  #lists = new BlockLists(0, 1);
  #info: BlockInfo | undefined;
  // Min-heap of pinned blocks by expiry.
  #heap = new Int32Array(0);
  #pos = new Int32Array(0);
  #expiry = new Float64Array(0);
  #heapSize = 0;
  #size = 0;
  readonly #counters = { pinned: 0, hitsWhilePinned: 0, expired: 0, forcedEvictions: 0 };

  constructor(ttlFactor: number, maxTtlUs: number) {
    this.#ttlFactor = ttlFactor;
    this.#maxTtlUs = maxTtlUs;
  }

  get size(): number {
    return this.#size;
  }

  /** Blocks pinned right now (for tests). */
  get pinnedBlocks(): number {
    return this.#heapSize;
  }

  init(blockIds: readonly number[], info: BlockInfo): void {
    this.#info = info;
    const n = info.numBlocks;
    this.#lists = new BlockLists(n, 1);
    this.#heap = new Int32Array(n);
    this.#pos = new Int32Array(n).fill(-1);
    this.#expiry = new Float64Array(n);
    this.#heapSize = 0;
    for (const b of blockIds) this.#lists.pushBack(LRU, b);
    this.#size = blockIds.length;
  }

  onFree(blockId: number, nowUs: number): void {
    const info = this.#info!;
    this.#size++;
    const wait = info.toolWaitUs[blockId]!;
    if (wait > 0 && !Number.isNaN(info.hash[blockId]!)) {
      this.#expiry[blockId] = nowUs + Math.min(this.#ttlFactor * wait, this.#maxTtlUs);
      this.#heapPush(blockId);
      this.#counters.pinned++;
    } else {
      this.#lists.pushBack(LRU, blockId);
    }
  }

  onTouch(blockId: number): void {
    if (this.#pos[blockId]! >= 0) {
      this.#heapRemove(blockId);
      this.#counters.hitsWhilePinned++;
    } else if (this.#lists.remove(blockId) < 0) {
      throw new Error(`tool-ttl: block ${blockId} is not free`);
    }
    this.#size--;
  }

  popFree(nowUs: number): number {
    // Release pinned blocks whose TTL ran out, in expiry order, to the LRU tail.
    while (this.#heapSize > 0 && this.#expiry[this.#heap[0]!]! <= nowUs) {
      const b = this.#heap[0]!;
      this.#heapRemove(b);
      this.#lists.pushBack(LRU, b);
      this.#counters.expired++;
    }
    let b = this.#lists.popFront(LRU);
    if (b < 0) {
      if (this.#heapSize === 0) throw new Error('tool-ttl: no free blocks');
      b = this.#heap[0]!;
      this.#heapRemove(b);
      this.#counters.forcedEvictions++;
    }
    this.#size--;
    return b;
  }

  stats(): Record<string, number> {
    return { ...this.#counters };
  }

  #less(a: number, b: number): boolean {
    const ea = this.#expiry[a]!;
    const eb = this.#expiry[b]!;
    return ea < eb || (ea === eb && a < b);
  }

  #heapPush(b: number): void {
    const i = this.#heapSize++;
    this.#heap[i] = b;
    this.#pos[b] = i;
    this.#up(i);
  }

  #heapRemove(b: number): void {
    const i = this.#pos[b]!;
    const last = this.#heap[--this.#heapSize]!;
    this.#pos[b] = -1;
    if (i === this.#heapSize) return;
    this.#heap[i] = last;
    this.#pos[last] = i;
    this.#up(i);
    this.#down(this.#pos[last]!);
  }

  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.#heapSize) break;
      const r = l + 1;
      const c = r < this.#heapSize && this.#less(h[r]!, h[l]!) ? r : l;
      if (!this.#less(h[c]!, h[i]!)) break;
      this.#swap(i, c);
      i = c;
    }
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    this.#pos[b] = i;
    this.#pos[a] = j;
  }
}

/** Registry entry for `eviction: tool-ttl`. */
export const toolTtlFactory = definePolicy({
  summary: 'Continuum: pin a call\'s blocks for a TTL sized by its declared tool wait, then LRU',
  options: z.strictObject({
    /** TTL = ttlFactor × the declared expected tool wait... */
    ttlFactor: z.number().positive().default(2),
    /** ...capped at this many seconds. */
    maxTtlS: z.number().positive().default(30),
  }),
  make: (o) => new ToolTtlEviction(o.ttlFactor, o.maxTtlS * 1e6),
});
