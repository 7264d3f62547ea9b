import { describe, expect, it } from 'vitest';
import type { RequestRecord } from './records.js';
import { RequestTable } from './request-table.js';

// Keys in the order the workflow runner writes them (harness/runner/workflow-runner.ts).
function rec(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'wf-1/worker-0', workload: 'w', workflowId: 'wf-1', nodeId: 'worker-0', agentId: 'worker-0', instance: 'i0',
    outcome: 'ok', reason: '', attempt: 0, sendUs: 1_000, firstTokenUs: 5_000, endUs: 9_000, queueUs: 250,
    promptTokens: 1_200, cachedPromptTokens: 512, crossAgentCachedTokens: 0, outputTokens: 40, preemptions: 0, ...over,
  };
}

describe('RequestTable', () => {
  it('gives back every row with the same keys, order and values, ids and odd numbers included', () => {
    const rows = [
      rec(),
      rec({ id: 'wf-1/worker-0#2', attempt: 2, outcome: 'timeout', reason: 'ttft timeout', firstTokenUs: NaN, queueUs: NaN, crossAgentCachedTokens: NaN }),
      rec({ id: 'free-form id', workflowId: 'wf-2', nodeId: 'n', endUs: Infinity, sendUs: -0 }),
      // '#01' is not what the runner makes (it writes #1): kept verbatim, not rebuilt as '#1'.
      rec({ id: 'wf-1/worker-0#01' }),
      rec({ id: 'wf-1/worker-0#0' }),
    ];
    const t = RequestTable.of(rows);
    expect(t.length).toBe(5);
    expect(JSON.stringify(t.rows())).toBe(JSON.stringify(rows));
    expect(t.rows()).toEqual(rows); // toEqual tells -0 from 0 and NaN is equal to NaN
    expect(Object.is(t.at(2)!.sendUs, -0)).toBe(true);
    expect(t.at(-1)!.id).toBe('wf-1/worker-0#0');
    expect(t.at(5)).toBeUndefined();
    expect(t.at(-6)).toBeUndefined();
  });

  it('serialises to JSON as the array of its rows', () => {
    const rows = [rec(), rec({ id: 'wf-1/worker-0#2', attempt: 2, instance: 'i1' })];
    expect(JSON.stringify({ requests: RequestTable.of(rows) })).toBe(JSON.stringify({ requests: rows }));
    expect(JSON.stringify(new RequestTable())).toBe('[]');
  });

  it('grows past its first capacity without losing a row', () => {
    const t = new RequestTable(2);
    for (let i = 0; i < 37; i++) t.push(rec({ id: `wf-${i}/a`, workflowId: `wf-${i}`, nodeId: 'a', sendUs: i * 10 }));
    expect(t.length).toBe(37);
    expect(t.rows().map((r) => r.sendUs)).toEqual(Array.from({ length: 37 }, (_, i) => i * 10));
    expect(t.at(36)!.id).toBe('wf-36/a');
  });

  it('holds 116 bytes of columns a row (10 Float64 + 9 Int32), at most twice that while growing', () => {
    const t = new RequestTable(1);
    for (let i = 0; i < 10_000; i++) t.push(rec({ id: `wf-${i >> 3}/n${i & 7}`, workflowId: `wf-${i >> 3}`, nodeId: `n${i & 7}` }));
    // Capacity doubles from 1: 16,384 rows for 10,000, so 16,384 × (10 × 8 + 9 × 4) bytes: six
    // string codes, the workflow id's prefix code and serial, the id code.
    expect(t.byteLength).toBe(16_384 * 116);
    expect(t.byteLength).toBeLessThanOrEqual(2 * 116 * t.length);
  });

  it('travels through postMessage as transferred columns and arrives equal', () => {
    const rows = [rec(), rec({ id: 'x', instance: 'i1', firstTokenUs: NaN }), rec({ id: 'wf-1/worker-0#3' })];
    const t = RequestTable.of(rows);
    const transfer: ArrayBuffer[] = [];
    const packed = t.pack(transfer);
    // 10 number columns, 6 string-code columns, the workflow ids' prefix codes and serials, the id codes.
    expect(transfer).toHaveLength(19);
    const back = RequestTable.unpack(structuredClone(packed, { transfer }));
    expect(back.rows()).toEqual(rows);
    expect(t.rows()).toEqual(rows); // pack copies: the sender's table is intact
    back.push(rec({ id: 'late' }));
    expect(back.at(3)!.id).toBe('late');
  });

  it('an empty table unpacked takes rows again, odd workflow ids included', () => {
    const back = RequestTable.unpack(new RequestTable().pack([]));
    const rows = [rec({ workflowId: 'plain', id: 'plain/worker-0' }), rec({ workflowId: 'wf-01', id: 'wf-01/worker-0' }), rec()];
    for (const r of rows) back.push(r);
    expect(back.rows()).toEqual(rows);
  });
});
