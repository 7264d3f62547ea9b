import { describe, expect, it } from 'vitest';
import type { RequestRecord, WorkflowRecord } from './records.js';
import { meetsSlo, sloCounts } from './slo.js';

const req = (id: string, wf: string, outcome: RequestRecord['outcome'], ttftMs: number, e2eMs: number, outputTokens: number): RequestRecord => ({
  id, workload: 'w', workflowId: wf, nodeId: id, agentId: 'a', instance: 'i0', outcome, reason: '', attempt: 0,
  sendUs: 0, firstTokenUs: ttftMs * 1000, endUs: e2eMs * 1000, queueUs: 0, promptTokens: 10, cachedPromptTokens: 0,
  crossAgentCachedTokens: 0, outputTokens, preemptions: 0,
});
const wf = (id: string, outcome: WorkflowRecord['outcome'], makespanMs: number) => ({ id, outcome, startUs: 0, endUs: makespanMs * 1000 }) as unknown as WorkflowRecord;

describe('SLO counts (DistServe-style goodput)', () => {
  // r1: TTFT 100, E2E 1,000 over 10 tokens → TPOT (1000 − 100) / 9 = 100 ms.
  // r2: TTFT 300 (misses a 200 ms TTFT bound). r3: a failed attempt, later retried as r4.
  // r4: TTFT 150, E2E 500 over 1 token (no TPOT: meets any TPOT bound).
  const requests = [req('r1', 'A', 'ok', 100, 1000, 10), req('r2', 'B', 'ok', 300, 800, 5), req('r3', 'C', 'failed', NaN, 50, 0), req('r4', 'C', 'ok', 150, 500, 1)];
  const workflows = [wf('A', 'completed', 1000), wf('B', 'completed', 800), wf('C', 'completed', 600), wf('D', 'failed', 10)];

  it('a call is good when it succeeded within every bound; a workflow when it completed in time with only good calls', () => {
    // TTFT ≤ 200: r1, r4 good (r2 too slow, r3 failed) → 2 of 4 calls; workflows A, C (B has r2; D failed) → 2 of 4.
    expect(sloCounts({ ttftMs: 200 }, requests, workflows)).toEqual({ goodCalls: 2, calls: 4, goodWorkflows: 2, workflows: 4 });
    // + TPOT ≤ 90: r1 (100 ms) now misses; r4 has no TPOT → 1 call; only C.
    expect(sloCounts({ ttftMs: 200, tpotMs: 90 }, requests, workflows)).toEqual({ goodCalls: 1, calls: 4, goodWorkflows: 1, workflows: 4 });
    // E2E ≤ 800: r2 (800) and r4 (500) → 2; makespan ≤ 700 leaves C only among the workflows whose calls are good (B: 800 > 700).
    expect(sloCounts({ e2eMs: 800, makespanMs: 700 }, requests, workflows)).toEqual({ goodCalls: 2, calls: 4, goodWorkflows: 1, workflows: 4 });
  });

  it('meets the SLO at the target attainment (default 90%), inclusive', () => {
    expect(meetsSlo({}, 0.9)).toBe(true);
    expect(meetsSlo({}, 0.8999)).toBe(false);
    expect(meetsSlo({ attainment: 0.5 }, 0.5)).toBe(true);
    expect(meetsSlo({}, NaN)).toBe(false);
  });
});
