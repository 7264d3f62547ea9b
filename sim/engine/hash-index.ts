/**
 * Block-hash → block-id multimap for the prefix cache: open addressing with linear probing over
 * 16-byte slots (a float64 key, an int32 block, an int32 epoch) in one buffer, so a probe touches
 * one cache line, not two (the index of a 64-instance cluster is far larger than the CPU caches).
 * Blocks are read through an Int32Array view: a block id read as a double would be boxed when
 * returned (a heap allocation per lookup). A Map keyed by 53-bit doubles boxes every key; this
 * allocates only at construction.
 *
 * Removal is lazy. On a busy cluster every block allocation evicts a cached block, and finding
 * its slot was a cache miss per eviction; a removal now only marks the block unindexed
 * (`#epochOf[block] = 0`, a per-block Int32Array), and its slot stays, dead, until live and dead
 * slots fill 3/4 of the table, when one sequential pass rebuilds it (bench-scale-100k: −4 % wall,
 * docs/performance.md). A slot is live while its epoch is the one its block was indexed under, so a
 * block indexed again (even under the same key) never revives its old slot.
 *
 * Each block holds at most one entry (`add` throws otherwise); block ids are below `numBlocks`.
 * Duplicate keys are allowed (vLLM does not de-duplicate cached blocks); `get` returns the live
 * entry added first. Insertion appends at the first empty slot after the key's home and nothing
 * moves between rebuilds, so a key's entries lie in insertion order along its probe run, and the
 * rebuild keeps that order (see #rebuild).
 */
export class BlockHashIndex {
  /**
   * Slot i: key at keys[2i]; block + 1 at ints[4i + 2] (0: empty slot, so a new buffer is an
   * empty table); epoch at ints[4i + 3].
   */
  readonly #keys: Float64Array;
  readonly #ints: Int32Array;
  readonly #mask: number;
  /** Epoch each block is indexed under; 0: not indexed. */
  readonly #epochOf: Int32Array;
  #epoch = 0;
  #live = 0;
  /** Occupied slots, dead ones included. */
  #used = 0;
  readonly #maxUsed: number;

  constructor(numBlocks: number) {
    // Live entries fill at most half the table; dead ones may take it to 3/4 before a rebuild
    // (A/B on bench-scale-100k: as fast as a table twice the size, which costs 64 MB more).
    let cap = 16;
    while (cap < numBlocks * 2) cap *= 2;
    const buf = new ArrayBuffer(16 * cap);
    this.#keys = new Float64Array(buf);
    this.#ints = new Int32Array(buf);
    this.#mask = cap - 1;
    this.#maxUsed = (cap * 3) / 4;
    this.#epochOf = new Int32Array(numBlocks);
  }

  /** Live entries (duplicate keys counted). */
  get size(): number {
    return this.#live;
  }

  // The low 32 bits of a block hash are already well mixed.
  #home(key: number): number {
    return (key >>> 0) & this.#mask;
  }

  /** First live block added under `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const ints = this.#ints;
    const epochOf = this.#epochOf;
    for (let i = this.#home(key); ; i = (i + 1) & this.#mask) {
      const b = ints[4 * i + 2]! - 1;
      if (b < 0) return -1;
      if (keys[2 * i] === key && epochOf[b] === ints[4 * i + 3]) return b;
    }
  }

  /** Add (key → block); earlier live entries for the key stay first. */
  add(key: number, block: number): void {
    if (this.#epochOf[block] !== 0) throw new Error(`BlockHashIndex: block ${block} is already indexed`);
    if (this.#used >= this.#maxUsed) this.#rebuild();
    // Epochs wrap after 2^32 adds; a dead slot never lives that long (rebuilds drop them).
    this.#epoch = (this.#epoch + 1) | 0;
    if (this.#epoch === 0) this.#epoch = 1;
    this.#epochOf[block] = this.#epoch;
    this.#place(key, block, this.#epoch);
    this.#live++;
  }

  /** Remove `block`'s entry (added under `key`); false if the block is not indexed. */
  remove(_key: number, block: number): boolean {
    if (this.#epochOf[block] === 0) return false;
    this.#epochOf[block] = 0;
    this.#live--;
    return true;
  }

  /** Remove everything. */
  clear(): void {
    this.#ints.fill(0);
    this.#epochOf.fill(0);
    this.#live = 0;
    this.#used = 0;
  }

  #place(key: number, block: number, epoch: number): void {
    const ints = this.#ints;
    let i = this.#home(key);
    while (ints[4 * i + 2]! !== 0) i = (i + 1) & this.#mask;
    this.#keys[2 * i] = key;
    ints[4 * i + 2] = block + 1;
    ints[4 * i + 3] = epoch;
    this.#used++;
  }

  // Drop the dead slots in one pass, in place. It is the same as clearing the table and adding
  // the live entries again in slot order, starting after an empty slot (so no probe run is
  // entered half-way): every slot from an entry's home to its own was visited before it, so the
  // first free slot from its home is at or before its own, and nothing not yet visited is moved
  // past or found in the way.
  #rebuild(): void {
    const keys = this.#keys;
    const ints = this.#ints;
    const mask = this.#mask;
    const epochOf = this.#epochOf;
    let start = 0;
    while (ints[4 * start + 2]! !== 0) start++;
    for (let s = 1; s <= mask; s++) {
      const i = (start + s) & mask;
      const b = ints[4 * i + 2]! - 1;
      if (b < 0) continue;
      if (epochOf[b] !== ints[4 * i + 3]) {
        ints[4 * i + 2] = 0;
        continue;
      }
      let j = this.#home(keys[2 * i]!);
      while (j !== i && ints[4 * j + 2]! !== 0) j = (j + 1) & mask;
      if (j !== i) {
        keys[2 * j] = keys[2 * i]!;
        ints[4 * j + 2] = b + 1;
        ints[4 * j + 3] = ints[4 * i + 3]!;
        ints[4 * i + 2] = 0;
      }
    }
    this.#used = this.#live;
  }
}
