import { Interned } from './interned.js';
import type { Rows, WorkflowRecord } from './records.js';
import { SerialIds, widen, type PackedSerialIds } from './serial-ids.js';

const NUMBER_KEYS = [
  'arrivalUs', 'startUs', 'endUs', 'criticalPathUs', 'calls', 'stepsOk', 'stepsFailed', 'retries', 'affinity',
] as const satisfies readonly (keyof WorkflowRecord)[];
const STRING_KEYS = ['workload', 'pattern', 'outcome', 'reason'] as const satisfies readonly (keyof WorkflowRecord)[];

/** What {@link WorkflowTable.pack} hands a worker's `postMessage` (typed arrays transferred). */
export interface PackedWorkflowTable {
  readonly length: number;
  readonly numbers: readonly Float64Array[];
  readonly codes: readonly Int32Array[];
  readonly strings: readonly (readonly string[])[];
  readonly ids: PackedSerialIds;
}

/**
 * One cell's workflow records as columns, like {@link RequestTable}'s requests: numbers in
 * Float64Arrays (NaN, -0 and Infinity exact), the workload, pattern, outcome and reason as codes
 * into each column's distinct values, the id as prefix and serial number ({@link SerialIds}).
 * 96 bytes a workflow off the JS heap instead of an object and its id string (~200 bytes on the
 * heap, held to the end of the run and copied by every major GC). Rows come back as fresh
 * objects with the workflow runner's keys, order and values.
 */
export class WorkflowTable implements Rows<WorkflowRecord> {
  #length = 0;
  #capacity: number;
  #numbers: Float64Array[];
  #codes: Int32Array[];
  #ids: SerialIds;
  readonly #strings: Interned[] = STRING_KEYS.map(() => new Interned());

  constructor(capacity = 256) {
    this.#capacity = Math.max(1, capacity);
    this.#numbers = NUMBER_KEYS.map(() => new Float64Array(this.#capacity));
    this.#codes = STRING_KEYS.map(() => new Int32Array(this.#capacity));
    this.#ids = new SerialIds(this.#capacity);
  }

  /** A table holding `rows` (tests, and records read back from elsewhere). */
  static of(rows: Iterable<WorkflowRecord>): WorkflowTable {
    const t = new WorkflowTable();
    for (const r of rows) t.push(r);
    return t;
  }

  /** The table a worker packed. */
  static unpack(p: PackedWorkflowTable): WorkflowTable {
    const t = new WorkflowTable(1);
    t.#length = p.length;
    t.#capacity = p.length;
    t.#numbers = [...p.numbers];
    t.#codes = [...p.codes];
    t.#ids = SerialIds.unpack(p.ids);
    p.strings.forEach((values, k) => {
      for (const v of values) t.#strings[k]!.code(v);
    });
    return t;
  }

  get length(): number {
    return this.#length;
  }

  /** Bytes of column storage (off the JS heap): 96 a row (9 Float64, 4 Int32 codes, 2 Int32 for the id), at most twice that while a column doubles. */
  get byteLength(): number {
    let n = this.#ids.byteLength;
    for (const a of this.#numbers) n += a.byteLength;
    for (const a of this.#codes) n += a.byteLength;
    return n;
  }

  push(r: WorkflowRecord): void {
    if (this.#length === this.#capacity) this.#grow();
    const i = this.#length++;
    const [arrivalUs, startUs, endUs, criticalPathUs, calls, stepsOk, stepsFailed, retries, affinity] = this.#numbers;
    arrivalUs![i] = r.arrivalUs;
    startUs![i] = r.startUs;
    endUs![i] = r.endUs;
    criticalPathUs![i] = r.criticalPathUs;
    calls![i] = r.calls;
    stepsOk![i] = r.stepsOk;
    stepsFailed![i] = r.stepsFailed;
    retries![i] = r.retries;
    affinity![i] = r.affinity;
    const [workload, pattern, outcome, reason] = this.#codes;
    const st = this.#strings;
    workload![i] = st[0]!.code(r.workload);
    pattern![i] = st[1]!.code(r.pattern);
    outcome![i] = st[2]!.code(r.outcome);
    reason![i] = st[3]!.code(r.reason);
    this.#ids.set(i, r.id);
  }

  /** Row `i` as a fresh record (undefined out of range, like an array's `at`). */
  at(i: number): WorkflowRecord | undefined {
    if (i < 0) i += this.#length;
    if (i < 0 || i >= this.#length) return undefined;
    const c = this.#codes;
    const st = this.#strings;
    const n = this.#numbers;
    // Keys in the workflow runner's order: rows are byte-for-byte what the records were.
    return {
      id: this.#ids.get(i), workload: st[0]!.values[c[0]![i]!]!, pattern: st[1]!.values[c[1]![i]!]!,
      outcome: st[2]!.values[c[2]![i]!]! as WorkflowRecord['outcome'], reason: st[3]!.values[c[3]![i]!]!,
      arrivalUs: n[0]![i]!, startUs: n[1]![i]!, endUs: n[2]![i]!, criticalPathUs: n[3]![i]!, calls: n[4]![i]!,
      stepsOk: n[5]![i]!, stepsFailed: n[6]![i]!, retries: n[7]![i]!, affinity: n[8]![i]!,
    };
  }

  *[Symbol.iterator](): IterableIterator<WorkflowRecord> {
    for (let i = 0; i < this.#length; i++) yield this.at(i)!;
  }

  /** Every row as an array. */
  rows(): WorkflowRecord[] {
    return [...this];
  }

  /** The rows, for `JSON.stringify` (see `RequestTable.toJSON`). */
  toJSON(): WorkflowRecord[] {
    return this.rows();
  }

  /** Copies of the columns, trimmed, for `postMessage`; their buffers are pushed onto `transfer`. */
  pack(transfer: ArrayBuffer[]): PackedWorkflowTable {
    const n = this.#length;
    const numbers = this.#numbers.map((a) => a.slice(0, n));
    const codes = this.#codes.map((a) => a.slice(0, n));
    for (const a of [...numbers, ...codes]) transfer.push(a.buffer);
    return { length: n, numbers, codes, strings: this.#strings.map((s) => s.values), ids: this.#ids.pack(n, transfer) };
  }

  // Double every column (amortised O(1) per row).
  #grow(): void {
    const cap = Math.max(1, this.#capacity * 2); // an unpacked empty table has capacity 0
    const n = this.#length;
    this.#numbers = this.#numbers.map((a) => widen(a, new Float64Array(cap), n));
    this.#codes = this.#codes.map((a) => widen(a, new Int32Array(cap), n));
    this.#ids.grow(cap, n);
    this.#capacity = cap;
  }
}
