import { BlockPool } from '../engine/block-pool.js';
import type { BlockOwner } from '../../policies/kv/request.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { BlockHash } from '../../policies/types.js';
import type { TransferLink } from './link.js';

/** Writes in flight over one link; their landing times only grow (the link is FIFO). */
class PendingWrites {
  readonly slots: number[] = [];
  readonly hashes: number[] = [];
  readonly doneUs: number[] = [];
  head = 0;
  get size(): number {
    return this.slots.length - this.head;
  }
}

/**
 * One KV tier outside GPU memory (a CPU offload buffer, or an LMCache-style shared store): a
 * fixed number of block slots holding KV by block hash. It is a {@link BlockPool} whose slots
 * are all evictable once written, so the GPU's eviction policies order it too (LRU by default):
 * a write takes the slot the policy gives up (evicting its hash), a load pins its slots until
 * it is done and then makes them most recent. A write lands, and becomes visible to lookups,
 * only when its transfer over the writer's link completes; until then its slot is pinned.
 * Every hash is stored at most once; free + used slots = capacity (checkInvariants).
 */
export class KvTierStore {
  readonly name: string;
  readonly capacityBlocks: number;
  readonly pool: BlockPool;
  /** Writes started (blocks), skipped because the hash was already there, dropped for lack of room. */
  writes = 0;
  writesSkipped = 0;
  writesDropped = 0;
  readonly #pending = new Map<TransferLink, PendingWrites>();
  readonly #pendingHashes = new Set<number>();
  readonly #one: number[] = [0];
  readonly #oneHash: number[] = [0];
  #pins = 0;

  constructor(name: string, capacityBlocks: number, eviction: EvictionPolicy) {
    this.name = name;
    this.capacityBlocks = capacityBlocks;
    // Slot 0 is the pool's null block, never used: capacity + 1 slots.
    this.pool = new BlockPool(capacityBlocks + 1, true, eviction);
  }

  /** Hashes stored and visible. */
  get storedBlocks(): number {
    return this.pool.numCachedBlocks;
  }

  /** Writes in flight. */
  get pendingWrites(): number {
    return this.#pendingHashes.size;
  }

  /** Slots pinned by loads in progress. */
  get pinnedSlots(): number {
    return this.#pins;
  }

  /** Stored hashes dropped to make room. */
  get evictions(): number {
    return this.pool.evictions;
  }

  /** Make every write that landed by `nowUs` visible. */
  flush(nowUs: number): void {
    if (this.#pendingHashes.size === 0) return;
    for (const q of this.#pending.values()) {
      while (q.head < q.slots.length && q.doneUs[q.head]! <= nowUs) {
        const slot = q.slots[q.head]!;
        const hash = q.hashes[q.head]!;
        const at = q.doneUs[q.head]!;
        q.head++;
        this.#pendingHashes.delete(hash);
        this.#one[0] = slot;
        this.#oneHash[0] = hash;
        this.pool.cacheFullBlocks(this.#one, this.#oneHash, 0, 1);
        this.pool.freeBlocksReversed(this.#one, at);
      }
      if (q.head > 1024 && q.head * 2 > q.slots.length) {
        q.slots.splice(0, q.head);
        q.hashes.splice(0, q.head);
        q.doneUs.splice(0, q.head);
        q.head = 0;
      }
    }
  }

  /** Slot holding `hash`, visible now (call {@link flush} first), or -1. */
  lookup(hash: BlockHash): number {
    return this.pool.getCachedBlock(hash);
  }

  /**
   * Start writing one block over `link` (`bytes` long); it lands when the transfer does. No-op
   * when the hash is stored or on its way, or when every slot is pinned (the write is dropped).
   */
  write(hash: BlockHash, owner: BlockOwner, link: TransferLink, bytes: number, nowUs: number): void {
    if (this.#pendingHashes.has(hash) || this.pool.getCachedBlock(hash) >= 0) {
      this.writesSkipped++;
      return;
    }
    if (this.pool.numFree === 0) {
      this.writesDropped++;
      return;
    }
    let q = this.#pending.get(link);
    if (!q) this.#pending.set(link, (q = new PendingWrites()));
    this.#one.length = 0;
    this.pool.getNewBlocks(1, nowUs, owner, this.#one);
    q.slots.push(this.#one[0]!);
    q.hashes.push(hash);
    q.doneUs.push(link.reserve(bytes, nowUs));
    this.#pendingHashes.add(hash);
    this.writes++;
  }

  /**
   * Lose everything (the process holding the tier died): stored hashes and writes in flight.
   * Pinned slots stay pinned until their loads release them.
   */
  clear(nowUs: number): void {
    for (const q of this.#pending.values()) {
      for (let i = q.head; i < q.slots.length; i++) {
        this.#one[0] = q.slots[i]!;
        this.pool.freeBlocksReversed(this.#one, nowUs);
      }
    }
    this.#pending.clear();
    this.#pendingHashes.clear();
    this.pool.dropPrefixCache();
  }

  /** Pin a stored slot while a load reads it (it cannot be evicted meanwhile). */
  pin(slot: number, nowUs: number, owner: BlockOwner): void {
    this.#one[0] = slot;
    this.pool.touch(this.#one, nowUs, owner);
    this.#pins++;
  }

  /** Release a pinned slot; it becomes the most recently used. */
  unpin(slot: number, nowUs: number): void {
    this.#one[0] = slot;
    this.pool.freeBlocksReversed(this.#one, nowUs);
    this.#pins--;
  }

  /**
   * Conservation: slots with ref count 0 are exactly the free set, pinned slots are exactly the
   * loads' pins plus the writes in flight, and no hash is stored twice.
   */
  checkInvariants(): void {
    const pool = this.pool;
    pool.checkConservation();
    let inUse = 0;
    let usedSlots = 0;
    const rc = pool.info.refCount;
    for (let b = 1; b < pool.numBlocks; b++) {
      inUse += rc[b]!;
      if (rc[b]! > 0) usedSlots++;
    }
    if (inUse !== this.#pins + this.#pendingHashes.size) {
      throw new Error(`KV tier ${this.name}: ${inUse} slot references but ${this.#pins} pins + ${this.#pendingHashes.size} writes in flight`);
    }
    const seen = new Set<number>();
    const hash = pool.info.hash;
    for (let b = 1; b < pool.numBlocks; b++) {
      const h = hash[b]!;
      if (Number.isNaN(h)) continue;
      if (seen.has(h) || this.#pendingHashes.has(h)) throw new Error(`KV tier ${this.name}: hash ${h} stored twice`);
      seen.add(h);
    }
    if (seen.size !== pool.numCachedBlocks) throw new Error(`KV tier ${this.name}: ${seen.size} hashed slots but ${pool.numCachedBlocks} indexed`);
    if (pool.numFree + usedSlots !== this.capacityBlocks) {
      throw new Error(`KV tier ${this.name}: ${pool.numFree} free + ${usedSlots} in use != capacity ${this.capacityBlocks}`);
    }
  }
}
