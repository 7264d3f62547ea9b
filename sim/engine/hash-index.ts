/**
 * Block-hash → block-id multimap for the prefix cache: open addressing with linear probing and
 * backward-shift deletion over typed arrays. A Map keyed by 53-bit doubles boxes every key (a
 * heap allocation per lookup); this allocates only at construction. Capacity is fixed: each
 * block holds at most one hash, so `maxEntries` = number of blocks is never exceeded.
 * Duplicate keys are allowed (vLLM does not de-duplicate cached blocks); `get` returns the
 * entry inserted first among those still present.
 */
export class BlockHashIndex {
  readonly #keys: Float64Array;
  readonly #vals: Int32Array; // -1 = empty slot
  readonly #mask: number;
  #size = 0;

  constructor(maxEntries: number) {
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    this.#keys = new Float64Array(cap);
    this.#vals = new Int32Array(cap).fill(-1);
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
    const keys = this.#keys;
    const vals = this.#vals;
    for (let i = this.#home(key); ; i = (i + 1) & this.#mask) {
      const v = vals[i]!;
      if (v < 0) return -1;
      if (keys[i] === key) return v;
    }
  }

  /** Add (key → block); an existing entry for the key stays first. */
  add(key: number, block: number): void {
    if (this.#size >= this.#mask) throw new Error('BlockHashIndex is full');
    const vals = this.#vals;
    let i = this.#home(key);
    while (vals[i]! >= 0) i = (i + 1) & this.#mask;
    this.#keys[i] = key;
    vals[i] = block;
    this.#size++;
  }

  /** Remove the entry (key → block); false if absent. */
  remove(key: number, block: number): boolean {
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let i = this.#home(key);
    for (;; i = (i + 1) & mask) {
      const v = vals[i]!;
      if (v < 0) return false;
      if (v === block && keys[i] === key) break;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j]! < 0) break;
      const k = this.#home(keys[j]!);
      // Move j into the hole at i unless j's home lies cyclically in (i, j].
      const inRange = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!inRange) {
        keys[i] = keys[j]!;
        vals[i] = vals[j]!;
        i = j;
      }
    }
    vals[i] = -1;
    this.#size--;
    return true;
  }

  /** Remove everything. */
  clear(): void {
    this.#vals.fill(-1);
    this.#size = 0;
  }
}
