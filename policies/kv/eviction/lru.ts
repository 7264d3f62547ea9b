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
  /**
   * Block i's predecessor at links[2i], successor at links[2i + 1] (-1: none), side by side so
   * a relink touches one cache line per block, not one per array (the pool's blocks are far
   * more than the CPU caches hold). A block not in the queue has predecessor NOT_FREE.
   */
  #links = new Int32Array(0);
  #head = -1;
  #tail = -1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  init(blockIds: readonly number[], info: BlockInfo): void {
    this.#links = new Int32Array(2 * info.numBlocks).fill(NOT_FREE);
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
    for (let id = this.#head; id >= 0; id = this.#links[2 * id + 1]!) out.push(id);
    return out;
  }

  #append(id: number): void {
    const links = this.#links;
    if (links[2 * id] !== NOT_FREE) throw new Error(`lru: block ${id} is already free`);
    const tail = this.#tail;
    links[2 * id] = tail;
    links[2 * id + 1] = -1;
    if (tail >= 0) links[2 * tail + 1] = id;
    else this.#head = id;
    this.#tail = id;
    this.#size++;
  }

  #remove(id: number): void {
    const links = this.#links;
    const p = links[2 * id]!;
    if (p === NOT_FREE) throw new Error(`lru: block ${id} is not free`);
    const n = links[2 * id + 1]!;
    if (p >= 0) links[2 * p + 1] = n;
    else this.#head = n;
    if (n >= 0) links[2 * n] = p;
    else this.#tail = p;
    links[2 * id] = NOT_FREE;
    links[2 * id + 1] = -1;
    this.#size--;
  }
}

/** Predecessor link of a block that is not in the free queue. */
const NOT_FREE = -2;

/** Registry entry for `eviction: lru`. */
export const lruFactory = definePolicy({
  summary: "vLLM v1's free queue: evict the least recently freed block, a sequence's tail first",
  options: noOptions,
  make: () => new LruEviction(),
});
