import { definePolicy, noOptions } from '../../registry.js';
import type { BlockInfo, EvictionPolicy } from './types.js';

/**
 * vLLM v1's free-block queue (FreeKVCacheBlockQueue in vllm/v1/core/kv_cache_utils.py): a
 * doubly linked list in block-id order at start; allocation pops the head; a block whose ref
 * count drops to 0 is appended at the tail; a prefix hit removes it from the middle. Since
 * KVCacheManager.free releases a request's blocks in reverse, a sequence's tail is evicted
 * before its prefix. Links are Int32Arrays: no allocation after init.
 */
export class LruEviction implements EvictionPolicy {
  readonly name = 'lru';
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  #inQueue = new Uint8Array(0);
  #head = -1;
  #tail = -1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  init(blockIds: readonly number[], info: BlockInfo): void {
    const n = info.numBlocks;
    this.#prev = new Int32Array(n).fill(-1);
    this.#next = new Int32Array(n).fill(-1);
    this.#inQueue = new Uint8Array(n);
    this.#head = this.#tail = -1;
    this.#size = 0;
    for (const id of blockIds) this.#append(id);
  }

  onFree(blockId: number): void {
    this.#append(blockId);
  }

  onTouch(blockId: number): void {
    this.#remove(blockId);
  }

  popFree(): number {
    const id = this.#head;
    if (id < 0) throw new Error('lru: no free blocks');
    this.#remove(id);
    return id;
  }

  /** Free blocks from head (next to evict) to tail; for tests and debugging. */
  order(): number[] {
    const out: number[] = [];
    for (let id = this.#head; id >= 0; id = this.#next[id]!) out.push(id);
    return out;
  }

  #append(id: number): void {
    if (this.#inQueue[id]) throw new Error(`lru: block ${id} is already free`);
    this.#inQueue[id] = 1;
    this.#prev[id] = this.#tail;
    this.#next[id] = -1;
    if (this.#tail >= 0) this.#next[this.#tail] = id;
    else this.#head = id;
    this.#tail = id;
    this.#size++;
  }

  #remove(id: number): void {
    if (!this.#inQueue[id]) throw new Error(`lru: block ${id} is not free`);
    this.#inQueue[id] = 0;
    const p = this.#prev[id]!;
    const n = this.#next[id]!;
    if (p >= 0) this.#next[p] = n;
    else this.#head = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
    this.#prev[id] = this.#next[id] = -1;
    this.#size--;
  }
}

/** Registry entry for `eviction: lru`. */
export const lruFactory = definePolicy({
  summary: "vLLM v1's free queue: evict the least recently freed block, a sequence's tail first",
  options: noOptions,
  make: () => new LruEviction(),
});
