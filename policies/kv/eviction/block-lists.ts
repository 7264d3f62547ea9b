/**
 * Many intrusive doubly linked lists over one set of block ids: each block is in at most one
 * list; lists are numbered 0..n-1 and grow on demand. Links live in typed arrays, so pushes and
 * pops allocate nothing (only adding a list may grow the per-list arrays).
 */
export class BlockLists {
  #prev: Int32Array;
  #next: Int32Array;
  #listOf: Int32Array;
  readonly #head: number[] = [];
  readonly #tail: number[] = [];
  readonly #size: number[] = [];

  constructor(numBlocks: number, numLists: number) {
    this.#prev = new Int32Array(numBlocks).fill(-1);
    this.#next = new Int32Array(numBlocks).fill(-1);
    this.#listOf = new Int32Array(numBlocks).fill(-1);
    this.ensureLists(numLists);
  }

  /** Make lists 0..n-1 exist. */
  ensureLists(n: number): void {
    while (this.#head.length < n) {
      this.#head.push(-1);
      this.#tail.push(-1);
      this.#size.push(0);
    }
  }

  /** Number of lists. */
  get numLists(): number {
    return this.#head.length;
  }

  /** List holding `b`, or -1. */
  listOf(b: number): number {
    return this.#listOf[b]!;
  }

  size(list: number): number {
    return this.#size[list]!;
  }

  /** First block of `list` (next to pop), or -1. */
  head(list: number): number {
    return this.#head[list]!;
  }

  /** Block after `b` in its list, or -1. */
  next(b: number): number {
    return this.#next[b]!;
  }

  pushBack(list: number, b: number): void {
    if (this.#listOf[b] !== -1) throw new Error(`block ${b} is already in list ${this.#listOf[b]}`);
    this.#listOf[b] = list;
    const t = this.#tail[list]!;
    this.#prev[b] = t;
    this.#next[b] = -1;
    if (t >= 0) this.#next[t] = b;
    else this.#head[list] = b;
    this.#tail[list] = b;
    this.#size[list]!++;
  }

  /** Remove `b` from whatever list holds it; returns that list (-1 if none). */
  remove(b: number): number {
    const list = this.#listOf[b]!;
    if (list < 0) return -1;
    const p = this.#prev[b]!;
    const n = this.#next[b]!;
    if (p >= 0) this.#next[p] = n;
    else this.#head[list] = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail[list] = p;
    this.#prev[b] = this.#next[b] = -1;
    this.#listOf[b] = -1;
    this.#size[list]!--;
    return list;
  }

  /** Remove and return the head of `list`, or -1 when empty. */
  popFront(list: number): number {
    const b = this.#head[list]!;
    if (b >= 0) this.remove(b);
    return b;
  }
}
