/**
 * Block-hash → block-id multimap for the prefix cache: open addressing with linear probing and
 * backward-shift deletion over one typed array of (key, block) pairs, so a probe touches one
 * cache line, not two (the index of a 64-instance cluster is far larger than the CPU caches).
 * A Map keyed by 53-bit doubles boxes every key (a heap allocation per lookup); this allocates
 * only at construction. Capacity is fixed: each
 * block holds at most one hash, so `maxEntries` = number of blocks is never exceeded.
 * Duplicate keys are allowed (vLLM does not de-duplicate cached blocks); `get` returns the
 * entry inserted first among those still present.
 */
export class BlockHashIndex {
  /** Slot i holds its key at 2i and its block at 2i + 1 (-1: empty slot). */
  readonly #slots: Float64Array;
  readonly #mask: number;
  #size = 0;

  constructor(maxEntries: number) {
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    this.#slots = new Float64Array(2 * cap);
    for (let i = 1; i < 2 * cap; i += 2) this.#slots[i] = -1;
    this.#mask = cap - 1;
  }

  /** Entries stored (duplicates counted). */
  get size(): number {
    return this.#size;
  }

  // The low 32 bits of a block hash are already well mixed.
  #home(key: number): number {
    return (key >>> 0) & this.#mask;
  }

  /** First block stored under `key`, or -1. */
  get(key: number): number {
    const slots = this.#slots;
    for (let i = this.#home(key); ; i = (i + 1) & this.#mask) {
      const v = slots[2 * i + 1]!;
      if (v < 0) return -1;
      if (slots[2 * i] === key) return v;
    }
  }

  /** Add (key → block); an existing entry for the key stays first. */
  add(key: number, block: number): void {
    if (this.#size >= this.#mask) throw new Error('BlockHashIndex is full');
    const slots = this.#slots;
    let i = this.#home(key);
    while (slots[2 * i + 1]! >= 0) i = (i + 1) & this.#mask;
    slots[2 * i] = key;
    slots[2 * i + 1] = block;
    this.#size++;
  }

  /** Remove the entry (key → block); false if absent. */
  remove(key: number, block: number): boolean {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = this.#home(key);
    for (;; i = (i + 1) & mask) {
      const v = slots[2 * i + 1]!;
      if (v < 0) return false;
      if (v === block && slots[2 * i] === key) break;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (slots[2 * j + 1]! < 0) break;
      const k = this.#home(slots[2 * j]!);
      // Move j into the hole at i unless j's home lies cyclically in (i, j].
      const inRange = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!inRange) {
        slots[2 * i] = slots[2 * j]!;
        slots[2 * i + 1] = slots[2 * j + 1]!;
        i = j;
      }
    }
    slots[2 * i + 1] = -1;
    this.#size--;
    return true;
  }

  /** Remove everything. */
  clear(): void {
    for (let i = 1; i < this.#slots.length; i += 2) this.#slots[i] = -1;
    this.#size = 0;
  }
}
