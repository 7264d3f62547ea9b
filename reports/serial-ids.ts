import { Interned } from './interned.js';

/** Code of an id that is not `<prefix>-<n>`, kept verbatim in the exceptions map. */
const OTHER = -1;
const MAX_SERIAL = 0x7fffffff;

/** What {@link SerialIds.pack} hands `postMessage` (typed arrays transferred, not copied). */
export interface PackedSerialIds {
  readonly prefixes: readonly string[];
  readonly codes: Int32Array;
  readonly serials: Int32Array;
  readonly others: readonly [number, string][];
}

/**
 * A column of ids as workloads make them, `<prefix>-<n>` (`parallel-8-41`, `wf-7`): a code
 * into the column's distinct prefixes and the serial number, 8 bytes a row in two Int32Arrays
 * (off the JS heap), instead of a string and a dictionary entry per distinct id, which is what
 * a million-call run's workflow ids cost as strings. Any other id (no `-`, a serial with a
 * leading zero or past 2^31 − 1) is kept verbatim, so `get(i)` is always the id `set` was given.
 */
export class SerialIds {
  readonly #prefixes = new Interned();
  #codes: Int32Array;
  #serials: Int32Array;
  readonly #others = new Map<number, string>();
  // The last id read back: consecutive rows often share it (a workflow's calls).
  #lastCode = OTHER;
  #lastSerial = -1;
  #lastId = '';

  constructor(capacity: number) {
    this.#codes = new Int32Array(capacity);
    this.#serials = new Int32Array(capacity);
  }

  static unpack(p: PackedSerialIds): SerialIds {
    const c = new SerialIds(0);
    c.#codes = p.codes;
    c.#serials = p.serials;
    for (const s of p.prefixes) c.#prefixes.code(s);
    for (const [i, id] of p.others) c.#others.set(i, id);
    return c;
  }

  get byteLength(): number {
    return this.#codes.byteLength + this.#serials.byteLength;
  }

  /** Row `i` holds `id` (rows are written once, in order). */
  set(i: number, id: string): void {
    const dash = id.lastIndexOf('-');
    const serial = dash >= 0 ? serialOf(id, dash + 1) : -1;
    if (serial < 0) {
      this.#codes[i] = OTHER;
      this.#others.set(i, id);
      return;
    }
    this.#codes[i] = this.#prefixes.code(id.slice(0, dash));
    this.#serials[i] = serial;
  }

  get(i: number): string {
    const code = this.#codes[i]!;
    if (code === OTHER) return this.#others.get(i)!;
    const serial = this.#serials[i]!;
    if (code !== this.#lastCode || serial !== this.#lastSerial) {
      this.#lastCode = code;
      this.#lastSerial = serial;
      this.#lastId = `${this.#prefixes.values[code]!}-${serial}`;
    }
    return this.#lastId;
  }

  /** Room for `capacity` rows, the first `length` kept. */
  grow(capacity: number, length: number): void {
    this.#codes = widen(this.#codes, new Int32Array(capacity), length);
    this.#serials = widen(this.#serials, new Int32Array(capacity), length);
  }

  /** The first `length` rows, copied, for `postMessage`; their buffers are pushed onto `transfer`. */
  pack(length: number, transfer: ArrayBuffer[]): PackedSerialIds {
    const codes = this.#codes.slice(0, length);
    const serials = this.#serials.slice(0, length);
    transfer.push(codes.buffer, serials.buffer);
    const others = [...this.#others].filter(([i]) => i < length);
    return { prefixes: this.#prefixes.values, codes, serials, others };
  }
}

/** Copy the first `length` values of `from` into `to` (a larger column) and return it. */
export function widen<A extends Float64Array | Int32Array>(from: A, to: A, length: number): A {
  to.set(from.subarray(0, length));
  return to;
}

// The decimal number written from `start` to the end of `s` as String(n) writes it, or -1.
function serialOf(s: string, start: number): number {
  const len = s.length - start;
  if (len < 1 || len > 10 || (len > 1 && s.charCodeAt(start) === 48 /* 0 */)) return -1;
  let n = 0;
  for (let k = start; k < s.length; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= MAX_SERIAL ? n : -1;
}
