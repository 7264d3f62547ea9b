import { describe, expect, it } from 'vitest';
import type { WorkflowRecord } from './records.js';
import { WorkflowTable } from './workflow-table.js';

// Keys in the order the workflow runner writes them (harness/runner/workflow-runner.ts).
function wf(over: Partial<WorkflowRecord> = {}): WorkflowRecord {
  return {
    id: 'parallel-8-3', workload: 'parallel-8', pattern: 'parallel', outcome: 'completed', reason: '',
    arrivalUs: 1_000, startUs: 1_000, endUs: 90_000, criticalPathUs: 70_000, calls: 8, stepsOk: 8, stepsFailed: 0,
    retries: 0, affinity: 0.25, ...over,
  };
}

describe('WorkflowTable', () => {
  it('gives back every row with the same keys, order and values', () => {
    const rows = [
      wf(),
      wf({ id: 'wf-1', outcome: 'failed', reason: 'call failed', criticalPathUs: NaN, affinity: NaN, stepsFailed: 2 }),
      wf({ id: 'odd id', endUs: Infinity, arrivalUs: -0 }),
      wf({ id: 'bg-007' }),
    ];
    const t = WorkflowTable.of(rows);
    expect(t.length).toBe(4);
    expect(JSON.stringify(t.rows())).toBe(JSON.stringify(rows));
    expect(JSON.stringify(t)).toBe(JSON.stringify(rows)); // toJSON: the rows
    expect(t.rows()).toEqual(rows); // toEqual tells -0 from 0; NaN equals NaN
    expect(Object.is(t.at(2)!.arrivalUs, -0)).toBe(true);
    expect(t.at(-1)!.id).toBe('bg-007');
    expect(t.at(4)).toBeUndefined();
  });

  it('holds 96 bytes of columns a row, at most twice that while growing', () => {
    const t = new WorkflowTable(1);
    for (let i = 0; i < 5_000; i++) t.push(wf({ id: `parallel-8-${i}`, startUs: i }));
    // Capacity doubles from 1: 8,192 rows for 5,000, so 8,192 × (9 × 8 + 4 × 4 + 2 × 4) bytes.
    expect(t.byteLength).toBe(8_192 * 96);
    expect(t.at(4_999)).toEqual(wf({ id: 'parallel-8-4999', startUs: 4_999 }));
  });

  it('travels through postMessage as transferred columns and arrives equal; an empty one too', () => {
    const rows = [wf(), wf({ id: 'x', workload: 'other', outcome: 'failed' })];
    const transfer: ArrayBuffer[] = [];
    const packed = WorkflowTable.of(rows).pack(transfer);
    // 9 number columns, 4 string-code columns, the ids' prefix codes and serials.
    expect(transfer).toHaveLength(15);
    const back = WorkflowTable.unpack(structuredClone(packed, { transfer }));
    expect(back.rows()).toEqual(rows);
    back.push(wf({ id: 'late-1' }));
    expect(back.at(2)!.id).toBe('late-1');
    const empty = WorkflowTable.unpack(new WorkflowTable().pack([]));
    empty.push(wf());
    expect(empty.rows()).toEqual([wf()]);
  });
});
