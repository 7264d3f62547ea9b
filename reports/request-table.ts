import { ColumnTable, type PackedColumns } from './column-table.js';
import type { Outcome, RequestRecord } from './records.js';

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
export interface PackedRequestTable extends PackedColumns {
  readonly otherIds: readonly [number, string][];
}

/**
 * One cell's request records as columns ({@link ColumnTable}): every number a Float64Array slot,
 * the workflow id as prefix and serial number ({@link SerialIds}: one per workflow, so no
 * dictionary of them), every other string but the id a code into that column's distinct values,
 * and the id derived from workflow and node as the workflow runner makes it (`<wf>/<node>` or
 * `<wf>/<node>#k`, an Int32 code), so a call costs 116 bytes off the JS heap instead of an object
 * with its strings (~310 bytes measured on bench-scale-100k), and the garbage collector has one
 * buffer per column to look at instead of a million objects.
 */
export class RequestTable extends ColumnTable<RequestRecord> {
  readonly #otherIds = new Map<number, string>();

  constructor(capacity = 1024) {
    super({ numbers: NUMBER_KEYS.length, codes: STRING_KEYS.length, ints: 1, serials: 1 }, capacity);
  }

  /** The table a worker packed. */
  static unpack(p: PackedRequestTable): RequestTable {
    const t = new RequestTable(1);
    t.loadColumns(p);
    for (const [i, id] of p.otherIds) t.#otherIds.set(i, id);
    return t;
  }

  push(r: RequestRecord): void {
    const i = this.nextRow();
    // Written out field by field: a loop over key names would make every access a slow keyed load.
    const [attempt, sendUs, firstTokenUs, endUs, queueUs, promptTokens, cachedPromptTokens, crossAgent, outputTokens, preemptions] = this.numbers;
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
    const [workload, nodeId, agentId, instance, outcome, reason] = this.codes;
    const st = this.strings;
    workload![i] = st[0]!.code(r.workload);
    this.serials[0]!.set(i, r.workflowId);
    nodeId![i] = st[1]!.code(r.nodeId);
    agentId![i] = st[2]!.code(r.agentId);
    instance![i] = st[3]!.code(r.instance);
    outcome![i] = st[4]!.code(r.outcome);
    reason![i] = st[5]!.code(r.reason);
    this.ints[0]![i] = this.#idCode(r, i);
  }

  at(index: number): RequestRecord | undefined {
    const i = this.rowIndex(index);
    if (i < 0) return undefined;
    const c = this.codes;
    const st = this.strings;
    const n = this.numbers;
    const workflowId = this.serials[0]!.get(i);
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

  /** Copies of the columns, trimmed, for `postMessage`; their buffers are pushed onto `transfer`. */
  pack(transfer: ArrayBuffer[]): PackedRequestTable {
    return { ...this.packColumns(transfer), otherIds: [...this.#otherIds] };
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
    const c = this.ints[0]![i]!;
    if (c === OTHER_ID) return this.#otherIds.get(i)!;
    return c === PLAIN_ID ? `${workflowId}/${nodeId}` : `${workflowId}/${nodeId}#${c}`;
  }
}
