/**
 * Block-hash → block-id multimap for the prefix cache: open addressing with linear probing and
 * backward-shift deletion over 16-byte slots (a float64 key, an int32 block) in one buffer, so a
 * probe touches one cache line, not two (the index of a 64-instance cluster is far larger than
 * the CPU caches). Blocks are read through an Int32Array view: a block id read as a double
 * would be boxed when returned (a heap allocation per lookup).
 * A Map keyed by 53-bit doubles boxes every key (a heap allocation per lookup); this allocates
 * only at construction. Capacity is fixed: each
 * block holds at most one hash, so `maxEntries` = number of blocks is never exceeded.
 * Duplicate keys are allowed (vLLM does not de-duplicate cached blocks); `get` returns the
 * entry inserted first among those still present.
 */
export class BlockHashIndex {
  /** Slot i: key at keys[2i], block at vals[4i + 2] (-1: empty slot); one ArrayBuffer. */
  readonly #keys: Float64Array;
  readonly #vals: Int32Array;
  readonly #mask: number;
  #size = 0;

  constructor(maxEntries: number) {
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    const buf = new ArrayBuffer(16 * cap);
    this.#keys = new Float64Array(buf);
    this.#vals = new Int32Array(buf);
    this.#mask = cap - 1;
    this.clear();
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
      const v = vals[4 * i + 2]!;
      if (v < 0) return -1;
      if (keys[2 * i] === key) return v;
    }
  }

  /** Add (key → block); an existing entry for the key stays first. */
  add(key: number, block: number): void {
    if (this.#size >= this.#mask) throw new Error('BlockHashIndex is full');
    const vals = this.#vals;
    let i = this.#home(key);
    while (vals[4 * i + 2]! >= 0) i = (i + 1) & this.#mask;
    this.#keys[2 * i] = key;
    vals[4 * i + 2] = block;
    this.#size++;
  }

  /** Remove the entry (key → block); false if absent. */
  remove(key: number, block: number): boolean {
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let i = this.#home(key);
    for (;; i = (i + 1) & mask) {
      const v = vals[4 * i + 2]!;
      if (v < 0) return false;
      if (v === block && keys[2 * i] === key) break;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[4 * j + 2]! < 0) break;
      const k = this.#home(keys[2 * j]!);
      // Move j into the hole at i unless j's home lies cyclically in (i, j].
      const inRange = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!inRange) {
        keys[2 * i] = keys[2 * j]!;
        vals[4 * i + 2] = vals[4 * j + 2]!;
        i = j;
      }
    }
    vals[4 * i + 2] = -1;
    this.#size--;
    return true;
  }

  /** Remove everything. */
  clear(): void {
    for (let i = 2; i < this.#vals.length; i += 4) this.#vals[i] = -1;
    this.#size = 0;
  }
}
