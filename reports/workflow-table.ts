import { ColumnTable, type PackedColumns } from './column-table.js';
import type { WorkflowRecord } from './records.js';

const NUMBER_KEYS = [
  'arrivalUs', 'startUs', 'endUs', 'criticalPathUs', 'calls', 'stepsOk', 'stepsFailed', 'retries', 'affinity',
] as const satisfies readonly (keyof WorkflowRecord)[];
const STRING_KEYS = ['workload', 'pattern', 'outcome', 'reason'] as const satisfies readonly (keyof WorkflowRecord)[];

/** What {@link WorkflowTable.pack} hands a worker's `postMessage` (typed arrays transferred, not copied). */
export type PackedWorkflowTable = PackedColumns;

/**
 * One cell's workflow records as columns ({@link ColumnTable}), like the requests: numbers in
 * Float64Arrays, the workload, pattern, outcome and reason as codes into each column's distinct
 * values, the id as prefix and serial number ({@link SerialIds}). 96 bytes a workflow off the JS
 * heap instead of an object and its id string (~200 bytes on the heap, held to the end of the
 * run and copied by every major GC).
 */
export class WorkflowTable extends ColumnTable<WorkflowRecord> {
  constructor(capacity = 256) {
    super({ numbers: NUMBER_KEYS.length, codes: STRING_KEYS.length, ints: 0, serials: 1 }, capacity);
  }

  /** The table a worker packed. */
  static unpack(p: PackedWorkflowTable): WorkflowTable {
    const t = new WorkflowTable(1);
    t.loadColumns(p);
    return t;
  }

  push(r: WorkflowRecord): void {
    const i = this.nextRow();
    const [arrivalUs, startUs, endUs, criticalPathUs, calls, stepsOk, stepsFailed, retries, affinity] = this.numbers;
    arrivalUs![i] = r.arrivalUs;
    startUs![i] = r.startUs;
    endUs![i] = r.endUs;
    criticalPathUs![i] = r.criticalPathUs;
    calls![i] = r.calls;
    stepsOk![i] = r.stepsOk;
    stepsFailed![i] = r.stepsFailed;
    retries![i] = r.retries;
    affinity![i] = r.affinity;
    const [workload, pattern, outcome, reason] = this.codes;
    const st = this.strings;
    workload![i] = st[0]!.code(r.workload);
    pattern![i] = st[1]!.code(r.pattern);
    outcome![i] = st[2]!.code(r.outcome);
    reason![i] = st[3]!.code(r.reason);
    this.serials[0]!.set(i, r.id);
  }

  at(index: number): WorkflowRecord | undefined {
    const i = this.rowIndex(index);
    if (i < 0) return undefined;
    const c = this.codes;
    const st = this.strings;
    const n = this.numbers;
    // Keys in the workflow runner's order: rows are byte-for-byte what the records were.
    return {
      id: this.serials[0]!.get(i), workload: st[0]!.values[c[0]![i]!]!, pattern: st[1]!.values[c[1]![i]!]!,
      outcome: st[2]!.values[c[2]![i]!]! as WorkflowRecord['outcome'], reason: st[3]!.values[c[3]![i]!]!,
      arrivalUs: n[0]![i]!, startUs: n[1]![i]!, endUs: n[2]![i]!, criticalPathUs: n[3]![i]!, calls: n[4]![i]!,
      stepsOk: n[5]![i]!, stepsFailed: n[6]![i]!, retries: n[7]![i]!, affinity: n[8]![i]!,
    };
  }

  /** Copies of the columns, trimmed, for `postMessage`; their buffers are pushed onto `transfer`. */
  pack(transfer: ArrayBuffer[]): PackedWorkflowTable {
    return this.packColumns(transfer);
  }
}
