import { describe, expect, it } from 'vitest';
import { requestRows, workflowRows } from './csv.js';
import { readRequestRows, readWorkflowRows } from './csv-read.js';
import type { RequestRecord, WorkflowRecord } from './records.js';

describe('reading requests.csv and workflows.csv rows back', () => {
  it('gives the records back at µs resolution, NaN where the file has an empty field', () => {
    const reqs: RequestRecord[] = [
      { id: 'w1/a', workload: 'wl', workflowId: 'w1', nodeId: 'a', agentId: 'x,"y"', instance: 'i0', outcome: 'ok', reason: '', attempt: 0,
        sendUs: 1000.4, firstTokenUs: 3500, endUs: 13500.2, queueUs: 250, promptTokens: 100, cachedPromptTokens: 32, crossAgentCachedTokens: NaN, outputTokens: 11, preemptions: 1 },
      { id: 'w1/b#1', workload: 'wl', workflowId: 'w1', nodeId: 'b', agentId: 'y', instance: 'i1', outcome: 'failed', reason: 'engine crash, retried', attempt: 1,
        sendUs: 20_000, firstTokenUs: NaN, endUs: 21_000, queueUs: NaN, promptTokens: 50, cachedPromptTokens: 0, crossAgentCachedTokens: 16, outputTokens: 0, preemptions: 0 },
    ];
    const back = readRequestRows(requestRows('wl', 'rr', 7, reqs));
    expect(back.map((r) => [r.workload, r.policy, r.seed])).toEqual([['wl', 'rr', 7], ['wl', 'rr', 7]]);
    // sendMs 1.0 (1000.4 µs rounded to the file's 3 decimals of ms) → 1000 µs; TTFT 2.5 ms → first
    // token at 1000 + 2500 = 3500; E2E 12.5 ms (13500.2 − 1000.4 = 12499.8 µs → 12.5) → end 13500.
    expect(back[0]!.record).toEqual({ ...reqs[0], sendUs: 1000, firstTokenUs: 3500, endUs: 13500 });
    expect(back[1]!.record).toEqual(reqs[1]);
    const wfs: WorkflowRecord[] = [{ id: 'w1', workload: 'wl', pattern: 'react', outcome: 'completed', reason: '', arrivalUs: 900, startUs: 1000, endUs: 22_000,
      criticalPathUs: 14_000, calls: 2, stepsOk: 2, stepsFailed: 0, retries: 1, affinity: 0.5 }];
    expect(readWorkflowRows(workflowRows('wl', 'rr', 7, wfs))).toEqual([{ workload: 'wl', policy: 'rr', seed: 7, record: wfs[0] }]);
  });

  it('refuses a row with the wrong number of fields, naming the file and row', () => {
    expect(() => readWorkflowRows('a,b,1\n')).toThrow('workflows.csv: row 1 has 3 fields, expected 17');
  });
});
