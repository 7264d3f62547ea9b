import { Interned } from './interned.js';
import type { Outcome, RequestRecord, Rows } from './records.js';
import { SerialIds, widen, type PackedSerialIds } from './serial-ids.js';

export type { Rows } from './records.js';

const NUMBER_KEYS = [
  'attempt', 'sendUs', 'firstTokenUs', 'endUs', 'queueUs', 'promptTokens', 'cachedPromptTokens',
  'crossAgentCachedTokens', 'outputTokens', 'preemptions',
] as const satisfies readonly (keyof RequestRecord)[];
const STRING_KEYS = ['workload', 'nodeId', 'agentId', 'instance', 'outcome', 'reason'] as const satisfies readonly (keyof RequestRecord)[];

/** A call id the runner made: `<workflow>/<node>` (code -1) or `<workflow>/<node>#<k>` (code k ≥ 1). */
const PLAIN_ID = -1;
/** Any other id, kept as it is in the exceptions map. */
const OTHER_ID = -2;

/** What {@link RequestTable.pack} hands a worker's `postMessage` (typed arrays transferred, not copied). */
export interface PackedRequestTable {
  readonly length: number;
  readonly numbers: readonly Float64Array[];
  readonly codes: readonly Int32Array[];
  readonly strings: readonly (readonly string[])[];
  readonly workflowIds: PackedSerialIds;
  readonly idCodes: Int32Array;
  readonly otherIds: readonly [number, string][];
}

/**
 * One cell's request records as columns: every number a Float64Array slot (exact: NaN, -0 and
 * Infinity survive), the workflow id as prefix and serial number ({@link SerialIds}: one per
 * workflow, so no dictionary of them), every other string but the id a code into that column's
 * distinct values, and the id derived from workflow and node as the workflow runner makes it
 * (`<wf>/<node>` or `<wf>/<node>#k`), so a call costs ~100 bytes instead of an object with its
 * strings (~310 bytes measured on bench-scale-100k), and the garbage collector has one buffer per column to look at
 * instead of a million objects. Rows come back as fresh objects with the same keys in the same
 * order and the same values, so every report reads them as it read the records.
 */
export class RequestTable implements Rows<RequestRecord> {
  #length = 0;
  #capacity: number;
  #numbers: Float64Array[];
  #codes: Int32Array[];
  #workflowIds: SerialIds;
  #idCodes: Int32Array;
  readonly #strings: Interned[] = STRING_KEYS.map(() => new Interned());
  readonly #otherIds = new Map<number, string>();

  constructor(capacity = 1024) {
    this.#capacity = Math.max(1, capacity);
    this.#numbers = NUMBER_KEYS.map(() => new Float64Array(this.#capacity));
    this.#codes = STRING_KEYS.map(() => new Int32Array(this.#capacity));
    this.#workflowIds = new SerialIds(this.#capacity);
    this.#idCodes = new Int32Array(this.#capacity);
  }

  /** A table holding `rows` (tests, and records read back from elsewhere). */
  static of(rows: Iterable<RequestRecord>): RequestTable {
    const t = new RequestTable();
    for (const r of rows) t.push(r);
    return t;
  }

  /** The table a worker packed. */
  static unpack(p: PackedRequestTable): RequestTable {
    const t = new RequestTable(1);
    t.#length = p.length;
    t.#capacity = p.length;
    t.#numbers = [...p.numbers];
    t.#codes = [...p.codes];
    t.#workflowIds = SerialIds.unpack(p.workflowIds);
    t.#idCodes = p.idCodes;
    p.strings.forEach((values, k) => {
      for (const v of values) t.#strings[k]!.code(v);
    });
    for (const [i, id] of p.otherIds) t.#otherIds.set(i, id);
    return t;
  }

  get length(): number {
    return this.#length;
  }

  /** Bytes of column storage (typed arrays, off the JS heap): 116 per row, at most twice that while a column doubles. */
  get byteLength(): number {
    let n = this.#idCodes.byteLength + this.#workflowIds.byteLength;
    for (const a of this.#numbers) n += a.byteLength;
    for (const a of this.#codes) n += a.byteLength;
    return n;
  }

  push(r: RequestRecord): void {
    if (this.#length === this.#capacity) this.#grow();
    const i = this.#length++;
    // Written out field by field: a loop over key names would make every access a slow keyed load.
    const [attempt, sendUs, firstTokenUs, endUs, queueUs, promptTokens, cachedPromptTokens, crossAgent, outputTokens, preemptions] = this.#numbers;
    attempt![i] = r.attempt;
    sendUs![i] = r.sendUs;
    firstTokenUs![i] = r.firstTokenUs;
    endUs![i] = r.endUs;
    queueUs![i] = r.queueUs;
    promptTokens![i] = r.promptTokens;
    cachedPromptTokens![i] = r.cachedPromptTokens;
    crossAgent![i] = r.crossAgentCachedTokens;
    outputTokens![i] = r.outputTokens;
    preemptions![i] = r.preemptions;
    const [workload, nodeId, agentId, instance, outcome, reason] = this.#codes;
    const st = this.#strings;
    workload![i] = st[0]!.code(r.workload);
    this.#workflowIds.set(i, r.workflowId);
    nodeId![i] = st[1]!.code(r.nodeId);
    agentId![i] = st[2]!.code(r.agentId);
    instance![i] = st[3]!.code(r.instance);
    outcome![i] = st[4]!.code(r.outcome);
    reason![i] = st[5]!.code(r.reason);
    this.#idCodes[i] = this.#idCode(r, i);
  }

  /** Row `i` as a fresh record (undefined out of range, like an array's `at`). */
  at(i: number): RequestRecord | undefined {
    if (i < 0) i += this.#length;
    if (i < 0 || i >= this.#length) return undefined;
    const c = this.#codes;
    const st = this.#strings;
    const n = this.#numbers;
    const workflowId = this.#workflowIds.get(i);
    const nodeId = st[1]!.values[c[1]![i]!]!;
    // Keys in the workflow runner's order: rows are byte-for-byte what the records were.
    return {
      id: this.#id(i, workflowId, nodeId), workload: st[0]!.values[c[0]![i]!]!, workflowId, nodeId,
      agentId: st[2]!.values[c[2]![i]!]!, instance: st[3]!.values[c[3]![i]!]!, outcome: st[4]!.values[c[4]![i]!]! as Outcome,
      reason: st[5]!.values[c[5]![i]!]!, attempt: n[0]![i]!, sendUs: n[1]![i]!, firstTokenUs: n[2]![i]!, endUs: n[3]![i]!,
      queueUs: n[4]![i]!, promptTokens: n[5]![i]!, cachedPromptTokens: n[6]![i]!, crossAgentCachedTokens: n[7]![i]!,
      outputTokens: n[8]![i]!, preemptions: n[9]![i]!,
    };
  }

  *[Symbol.iterator](): IterableIterator<RequestRecord> {
    for (let i = 0; i < this.#length; i++) yield this.at(i)!;
  }

  /** Every row as an array (small tables: tests, a few hundred calls). */
  rows(): RequestRecord[] {
    return [...this];
  }

  /**
   * The rows, for `JSON.stringify`: a table serialises as the array of records it stands for.
   * Without this it would be `{}` (its state is `#private`), and a fingerprint of a cell's
   * records (the swarm's rerun and engine comparisons) would silently leave the requests out.
   */
  toJSON(): RequestRecord[] {
    return this.rows();
  }

  /** Copies of the columns, trimmed, for `postMessage`; their buffers are pushed onto `transfer`. */
  pack(transfer: ArrayBuffer[]): PackedRequestTable {
    const n = this.#length;
    const numbers = this.#numbers.map((a) => a.slice(0, n));
    const codes = this.#codes.map((a) => a.slice(0, n));
    const idCodes = this.#idCodes.slice(0, n);
    for (const a of [...numbers, ...codes, idCodes]) transfer.push(a.buffer);
    return {
      length: n, numbers, codes, strings: this.#strings.map((s) => s.values), workflowIds: this.#workflowIds.pack(n, transfer),
      idCodes, otherIds: [...this.#otherIds],
    };
  }

  #idCode(r: RequestRecord, i: number): number {
    const prefix = `${r.workflowId}/${r.nodeId}`;
    if (r.id === prefix) return PLAIN_ID;
    if (r.id.startsWith(prefix) && r.id.charCodeAt(prefix.length) === 35 /* # */) {
      const suffix = r.id.slice(prefix.length + 1);
      const k = Number(suffix);
      if (Number.isInteger(k) && k >= 1 && k <= 0x7fffffff && String(k) === suffix) return k;
    }
    this.#otherIds.set(i, r.id);
    return OTHER_ID;
  }

  #id(i: number, workflowId: string, nodeId: string): string {
    const c = this.#idCodes[i]!;
    if (c === OTHER_ID) return this.#otherIds.get(i)!;
    return c === PLAIN_ID ? `${workflowId}/${nodeId}` : `${workflowId}/${nodeId}#${c}`;
  }

  // Double every column (amortised O(1) per row; typed arrays live outside the JS heap).
  #grow(): void {
    const cap = Math.max(1, this.#capacity * 2); // an unpacked empty table has capacity 0
    const n = this.#length;
    this.#numbers = this.#numbers.map((a) => widen(a, new Float64Array(cap), n));
    this.#codes = this.#codes.map((a) => widen(a, new Int32Array(cap), n));
    this.#workflowIds.grow(cap, n);
    this.#idCodes = widen(this.#idCodes, new Int32Array(cap), n);
    this.#capacity = cap;
  }
}
