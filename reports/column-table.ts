import { Interned } from './interned.js';
import type { Rows } from './records.js';
import { SerialIds, widen, type PackedSerialIds } from './serial-ids.js';

/** How many columns of each kind a table has. */
export interface ColumnLayout {
  /** Float64Array columns (exact: NaN, -0 and Infinity survive). */
  readonly numbers: number;
  /** Int32Array codes into each column's distinct strings ({@link Interned}). */
  readonly codes: number;
  /** Plain Int32Array columns. */
  readonly ints: number;
  /** Id columns ({@link SerialIds}). */
  readonly serials: number;
}

/** What {@link ColumnTable.packColumns} hands `postMessage` (typed arrays transferred, not copied). */
export interface PackedColumns {
  readonly length: number;
  readonly numbers: readonly Float64Array[];
  readonly codes: readonly Int32Array[];
  readonly strings: readonly (readonly string[])[];
  readonly ints: readonly Int32Array[];
  readonly serials: readonly PackedSerialIds[];
}

/**
 * Records of one kind as typed-array columns outside the JS heap: the storage, growth, packing
 * for `run --jobs` and row iteration that {@link RequestTable} and {@link WorkflowTable} share.
 * A subclass writes a record into the columns field by field (`push`, fast: no loop over key
 * names) and reads one back as a fresh object with the producer's keys, order and values (`at`),
 * so every report reads rows as it read the records.
 */
export abstract class ColumnTable<T> implements Rows<T> {
  #length = 0;
  #capacity: number;
  protected numbers: Float64Array[];
  protected codes: Int32Array[];
  protected ints: Int32Array[];
  protected serials: SerialIds[];
  protected readonly strings: Interned[];

  protected constructor(layout: ColumnLayout, capacity: number) {
    const cap = (this.#capacity = Math.max(1, capacity));
    this.numbers = Array.from({ length: layout.numbers }, () => new Float64Array(cap));
    this.codes = Array.from({ length: layout.codes }, () => new Int32Array(cap));
    this.ints = Array.from({ length: layout.ints }, () => new Int32Array(cap));
    this.serials = Array.from({ length: layout.serials }, () => new SerialIds(cap));
    this.strings = Array.from({ length: layout.codes }, () => new Interned());
  }

  /** A table of the calling class holding `rows` (tests, and records read back from elsewhere). */
  static of<R, C extends ColumnTable<R>>(this: new () => C, rows: Iterable<R>): C {
    const t = new this();
    for (const r of rows) t.push(r);
    return t;
  }

  get length(): number {
    return this.#length;
  }

  /** Append a record (written into the columns field by field). */
  abstract push(r: T): void;

  /** Bytes of column storage: the row size times the capacity, at most twice the rows while a column doubles. */
  get byteLength(): number {
    let n = 0;
    for (const a of this.numbers) n += a.byteLength;
    for (const a of this.codes) n += a.byteLength;
    for (const a of this.ints) n += a.byteLength;
    for (const s of this.serials) n += s.byteLength;
    return n;
  }

  /** Row `i` as a fresh record (undefined out of range; negative counts from the end, like an array's `at`). */
  abstract at(i: number): T | undefined;

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.at(i)!;
  }

  /** Every row as an array (small tables: tests, a few hundred records). */
  rows(): T[] {
    return [...this];
  }

  /**
   * The rows, for `JSON.stringify`: a table serialises as the array of records it stands for.
   * Without this it would be `{}`, and a fingerprint of a cell's records (the swarm's rerun and
   * engine comparisons) would silently leave the table out.
   */
  toJSON(): T[] {
    return this.rows();
  }

  /** The index of a new row, the columns grown to hold it (doubling: amortised O(1) a row). */
  protected nextRow(): number {
    if (this.#length === this.#capacity) this.#grow();
    return this.#length++;
  }

  /** `i` as a row index (negative counts from the end), or -1 out of range. */
  protected rowIndex(i: number): number {
    const k = i < 0 ? i + this.#length : i;
    return k >= 0 && k < this.#length ? k : -1;
  }

  /** Copies of the columns, trimmed, for `postMessage`; their buffers are pushed onto `transfer`. */
  protected packColumns(transfer: ArrayBuffer[]): PackedColumns {
    const n = this.#length;
    const numbers = this.numbers.map((a) => a.slice(0, n));
    const codes = this.codes.map((a) => a.slice(0, n));
    const ints = this.ints.map((a) => a.slice(0, n));
    for (const a of [...numbers, ...codes, ...ints]) transfer.push(a.buffer);
    const serials = this.serials.map((s) => s.pack(n, transfer));
    return { length: n, numbers, codes, strings: this.strings.map((s) => s.values), ints, serials };
  }

  /** Take the columns a worker packed (into a table just made). */
  protected loadColumns(p: PackedColumns): void {
    this.#length = p.length;
    this.#capacity = p.length;
    this.numbers = [...p.numbers];
    this.codes = [...p.codes];
    this.ints = [...p.ints];
    this.serials = p.serials.map((s) => SerialIds.unpack(s));
    p.strings.forEach((values, k) => {
      for (const v of values) this.strings[k]!.code(v);
    });
  }

  #grow(): void {
    const cap = Math.max(1, this.#capacity * 2); // a table unpacked empty has capacity 0
    const n = this.#length;
    this.numbers = this.numbers.map((a) => widen(a, new Float64Array(cap), n));
    this.codes = this.codes.map((a) => widen(a, new Int32Array(cap), n));
    this.ints = this.ints.map((a) => widen(a, new Int32Array(cap), n));
    for (const s of this.serials) s.grow(cap, n);
    this.#capacity = cap;
  }
}
