import { describe, expect, it } from 'vitest';
import { packCellResult, unpackCellResult } from './cell-transfer.js';
import { runTestCell } from './testing.js';

describe('a cell result posted by a run --jobs worker', () => {
  it('travels as columns (requests, workflows, samples) and arrives equal, key order included', () => {
    const res = runTestCell({
      workload: { pattern: 'parallel', workers: 3, workflows: 6, systemTokens: 64, contextTokens: 200, taskTokens: 32, outputTokens: 16 },
      cluster: { instances: 2 },
    });
    expect(res.requests.length).toBeGreaterThan(0);
    const transfer: ArrayBuffer[] = [];
    const packed = packCellResult(res, transfer);
    // Real records are uniform: if a producer ever adds or reorders a key the rows would still
    // arrive equal but as objects; this catches the silent slow path.
    expect(packed.samples.kind).toBe('columns');
    expect(packed.workflows.length).toBe(6);
    const rows = res.requests.rows();
    const back = unpackCellResult(structuredClone(packed, { transfer }));
    const { requests: backRequests, workflows: backWorkflows, ...backRest } = back;
    const { requests: _sent, workflows, ...rest } = res;
    expect(backRest).toEqual(rest);
    // Rows keep their keys' order (the CSV and JSON writers see the same objects).
    expect(JSON.stringify(backRequests.rows())).toBe(JSON.stringify(rows));
    expect(backWorkflows.rows()).toEqual(workflows.rows());
    for (const k of ['workflows', 'samples'] as const) expect(JSON.stringify(back[k])).toBe(JSON.stringify(res[k]));
  });
});
