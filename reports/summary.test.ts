import { describe, expect, it } from 'vitest';
import { LogHistogram } from './histogram.js';
import type { RequestRecord, WorkflowRecord } from './records.js';
import { instanceStats, summarize, type RunData } from './summary.js';
import type { InstanceSample } from './timeseries.js';

// A run small enough to work out by hand: 6 calls (4 ok, 1 timed out, 1 rejected) in 3
// workflows (2 completed, 1 failed), 2 instances, 4 KV samples, 4 inter-token latencies.
const req = (
  id: string, workflowId: string, outcome: RequestRecord['outcome'],
  [sendUs, firstTokenUs, endUs, queueUs]: [number, number, number, number],
  [promptTokens, cachedPromptTokens, crossAgentCachedTokens, outputTokens, preemptions]: [number, number, number, number, number],
): RequestRecord => ({
  id, workload: 'w', workflowId, nodeId: id, agentId: 'a', instance: 'i0', outcome, reason: outcome === 'ok' ? '' : outcome, attempt: 0,
  sendUs, firstTokenUs, endUs, queueUs, promptTokens, cachedPromptTokens, crossAgentCachedTokens, outputTokens, preemptions,
});
//                                 send     first    end      queue     prompt cached cross out preempt
const REQUESTS: RequestRecord[] = [
  req('r1', 'w1', 'ok', /*     */ [0, /*     */ 10_000, 50_000, 2_000], [100, 40, 20, 5, 0]), // ttft 10, e2e 50, tpot 40/4 = 10, queue 2
  req('r2', 'w1', 'ok', /*     */ [5_000, /* */ 25_000, 85_000, 4_000], [200, 100, NaN, 7, 1]), // ttft 20, e2e 80, tpot 60/6 = 10, queue 4
  req('r3', 'w2', 'ok', /*     */ [20_000, /**/ 50_000, 50_000, 10_000], [50, 0, 0, 1, 0]), // ttft 30, e2e 30, tpot NaN (1 token), queue 10
  req('r4', 'w2', 'ok', /*     */ [100_000, 140_000, 180_000, 6_000], [150, 60, 60, 3, 0]), // ttft 40, e2e 80, tpot 40/2 = 20, queue 6
  req('r5', 'w3', 'timeout', /**/ [150_000, NaN, 200_000, NaN], [300, 0, 0, 0, 2]),
  req('r6', 'w3', 'rejected', [190_000, NaN, 190_000, NaN], [300, 0, 0, 0, 0]),
];
const wf = (id: string, outcome: WorkflowRecord['outcome'], startUs: number, endUs: number, criticalPathUs: number, affinity: number): WorkflowRecord => ({
  id, workload: 'w', pattern: 'sequential', outcome, reason: '', arrivalUs: startUs, startUs, endUs, criticalPathUs,
  calls: 2, stepsOk: 2, stepsFailed: 0, retries: 0, affinity,
});
const WORKFLOWS: WorkflowRecord[] = [
  wf('w1', 'completed', 0, 85_000, 50_000, 1), // makespan 85, critical path 50, slowdown 1.7
  wf('w2', 'completed', 100_000, 180_000, 40_000, 0.5), // makespan 80, critical path 40, slowdown 2
  wf('w3', 'failed', 150_000, 200_000, NaN, 1),
];
const totals = (busyUs: number, prefixQueries: number, prefixHits: number, evictions: number) => ({
  busyUs, steps: 10, prefillTokens: 0, decodeTokens: 0, preemptions: 0, finished: 2, evictions, prefixQueries, prefixHits,
});
const sample = (kvUsage: number): InstanceSample => ({
  tMs: 0, instance: 'i0', kvUsage, running: 0, waiting: 0, healthy: true, tokens: 0, prefillTokens: 0, decodeTokens: 0, state: 'ok',
});

function runData(over: Partial<RunData> = {}): RunData {
  const itlMs = new LogHistogram();
  for (const v of [10, 10, 20, 20]) itlMs.record(v);
  return {
    requests: REQUESTS, workflows: WORKFLOWS, itlMs,
    instances: [instanceStats('i0', totals(150_000, 300, 120, 2), 100), instanceStats('i1', totals(50_000, 200, 30, 1), 100)],
    samples: [sample(0.2), sample(0.5), sample(0.8), sample(0.1)],
    slo: { ttftMs: 35, e2eMs: 85, makespanMs: 90 },
    ...over,
  };
}

describe('summarize', () => {
  it('computes every metric of a hand-worked run (type-7 percentiles, rates over the active window)', () => {
    expect(summarize(runData())).toEqual({
      requestsTotal: 6, requestsOk: 4, requestsFailed: 2, requestsRejected: 1, requestsTimedOut: 1,
      workflowsTotal: 3, workflowsCompleted: 2, workflowsFailed: 1,
      // Type 7 of n sorted values at p: h = (n − 1)·p/100, v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]).
      // TTFT [10, 20, 30, 40]: p50 h 1.5 → 25; p90 h 2.7 → 37; p99 h 2.97 → 39.7.
      ttftMsP50: 25, ttftMsP90: 37, ttftMsP99: 39.7,
      // TPOT over the finite ones [10, 10, 20]: p50 h 1 → 10; p99 h 1.98 → 10 + 0.98·10 = 19.8.
      tpotMsP50: 10, tpotMsP99: 19.8,
      // ITL from the log histogram (200 buckets per decade from 1e-3): 10 ms falls in bucket
      // ⌊(1 + 3)·200⌋ + 1 = 801, reported at 10^(−3 + 800.5/200) = 10^1.0025 = 10.057731; 20 ms in
      // bucket ⌊(log10 20 + 3)·200⌋ + 1 = 861 → 10^1.3025 = 20.067811. Of [10, 10, 20, 20] the histogram
      // reports the value of index ⌊p·(n−1)⌋: p50 ⌊1.5⌋ = 1 → 10 ms's bucket; p99 ⌊2.97⌋ = 2 → 20 ms's bucket.
      itlMsP50: 10.057731, itlMsP99: 20.067811,
      // E2E [30, 50, 80, 80]: p50 h 1.5 → 65; p99 h 2.97 → 80. Queue [2, 4, 6, 10]: p50 5; p99 6 + 0.97·4 = 9.88.
      e2eMsP50: 65, e2eMsP99: 80, queueMsP50: 5, queueMsP99: 9.88,
      // Completed makespans [80, 85]: p50 h 0.5 → 82.5; p90 h 0.9 → 84.5; p99 h 0.99 → 84.95; mean 82.5.
      makespanMsP50: 82.5, makespanMsP90: 84.5, makespanMsP99: 84.95, makespanMsMean: 82.5,
      // Critical paths [40, 50] → 45; slowdowns [1.7, 2] → 1.85.
      criticalPathMsP50: 45, slowdownP50: 1.85,
      // Window: first send 0 to last end 200 000 µs = 0.2 s (the failed calls count for the window).
      // 4 ok calls / 0.2 = 20; 5 + 7 + 1 + 3 = 16 output tokens / 0.2 = 80; 2 workflows / 0.2 = 10.
      throughputRps: 20, outputTokensPerSec: 80, workflowsPerSec: 10,
      // SLO ttft ≤ 35, e2e ≤ 85, makespan ≤ 90: r1, r2, r3 good, r4 (TTFT 40) bad, r5 and r6 not ok.
      // w1 (r1, r2; makespan 85) good; w2 has bad r4; w3 failed. Good workflows 1 / 0.2 s = 5,
      // good calls 3 / 0.2 s = 15, attainment 3 of 6 calls = 0.5, 1 of 3 workflows = 0.333333.
      goodputWps: 5, goodputRps: 15, sloAttainment: 0.5, workflowSloAttainment: 0.333333,
      // Ok calls' prompt tokens 100 + 200 + 50 + 150 = 500; cached 40 + 100 + 0 + 60 = 200 → 0.4;
      // cross-agent 20 + (NaN skipped) + 0 + 60 = 80 → 0.16. Engine: hits 120 + 30 over queries 300 + 200 = 0.3.
      prefixCacheHitRate: 0.4, crossAgentHitRate: 0.16, engineCacheHitRate: 0.3,
      // Affinity mean (1 + 0.5 + 1) / 3 over all workflows = 0.833333.
      workflowAffinity: 0.833333,
      // Busy 150 000 and 50 000 µs: mean 100 000, population std 50 000 → CoV 0.5.
      loadImbalanceCov: 0.5,
      // KV samples [0.2, 0.5, 0.8, 0.1]: mean 1.6 / 4 = 0.4, peak 0.8.
      kvUsageMean: 0.4, kvUsagePeak: 0.8,
      // Preemptions over every call, failed ones too: 1 + 2 = 3; evictions 2 + 1 = 3.
      preemptions: 3, evictions: 3,
      promptTokens: 500, outputTokens: 16, simDurationS: 0.2,
    });
  });

  it('takes nearest-rank percentiles when asked (type 1: the ⌈p·n⌉-th smallest)', () => {
    const s = summarize(runData({ percentileMethod: 'nearest-rank' }));
    // TTFT [10, 20, 30, 40]: p50 ⌈2⌉ → 2nd = 20; p90 ⌈3.6⌉ → 4th = 40; p99 ⌈3.96⌉ → 4th = 40.
    expect([s['ttftMsP50'], s['ttftMsP90'], s['ttftMsP99']]).toEqual([20, 40, 40]);
    // Makespans [80, 85]: p50 ⌈1⌉ → 80; p99 ⌈1.98⌉ → 85. ITL is a histogram either way.
    expect([s['makespanMsP50'], s['makespanMsP99'], s['itlMsP50']]).toEqual([80, 85, 10.057731]);
  });

  it('without an SLO: goodput is NaN and the attainment keys are absent', () => {
    const s = summarize(runData({ slo: undefined }));
    expect(s['goodputWps']).toBeNaN();
    expect(Object.keys(s)).not.toContain('goodputRps');
    expect(Object.keys(s)).not.toContain('sloAttainment');
    expect(Object.keys(s)).not.toContain('workflowSloAttainment');
    expect(Object.keys(s)).toHaveLength(41); // the 44 of the SLO run minus those three
  });

  it('an empty run: counts 0, percentiles and window NaN, rates 0', () => {
    const s = summarize({ requests: [], workflows: [], itlMs: new LogHistogram(), instances: [], samples: [], slo: { ttftMs: 1 } });
    expect([s['requestsTotal'], s['workflowsTotal'], s['throughputRps'], s['outputTokensPerSec'], s['workflowsPerSec']]).toEqual([0, 0, 0, 0, 0]);
    expect([s['prefixCacheHitRate'], s['crossAgentHitRate'], s['engineCacheHitRate']]).toEqual([0, 0, 0]);
    for (const k of ['ttftMsP50', 'itlMsP50', 'makespanMsMean', 'goodputWps', 'goodputRps', 'sloAttainment', 'workflowSloAttainment', 'loadImbalanceCov', 'kvUsagePeak', 'simDurationS']) {
      expect(s[k], k).toBeNaN();
    }
  });

  it('a run whose calls all end at their send time has no window: rates are 0, not Infinity', () => {
    const r = req('x', 'w1', 'ok', [1_000, 1_000, 1_000, 0], [10, 0, 0, 1, 0]);
    const s = summarize(runData({ requests: [r], slo: undefined }));
    expect([s['throughputRps'], s['outputTokensPerSec'], s['workflowsPerSec']]).toEqual([0, 0, 0]);
    expect(s['simDurationS']).toBeNaN();
  });

  it('does not depend on where the run\'s clock starts: every time shifted by 1 s gives the same summary', () => {
    const shift = 1_000_000;
    const requests = REQUESTS.map((r) => ({ ...r, sendUs: r.sendUs + shift, firstTokenUs: r.firstTokenUs + shift, endUs: r.endUs + shift }));
    const workflows = WORKFLOWS.map((w) => ({ ...w, arrivalUs: w.arrivalUs + shift, startUs: w.startUs + shift, endUs: w.endUs + shift }));
    expect(summarize(runData({ requests, workflows }))).toEqual(summarize(runData()));
    expect(summarize(runData({ requests, workflows }))['throughputRps']).toBe(20); // still 4 calls over 0.2 s
  });

  it('rounds every metric to 6 decimals', () => {
    // Affinity mean of 1/3 and 0: 0.1666…→ 0.166667.
    const s = summarize(runData({ workflows: [wf('a', 'completed', 0, 1, 1, 1 / 3), wf('b', 'completed', 0, 1, 1, 0)] }));
    expect(s['workflowAffinity']).toBe(0.166667);
  });
});

describe('instanceStats', () => {
  it('maps engine totals one to one (finished → requestsFinished) and adds the KV size', () => {
    expect(instanceStats('i3', { busyUs: 1, steps: 2, prefillTokens: 3, decodeTokens: 4, preemptions: 5, finished: 6, evictions: 7, prefixQueries: 8, prefixHits: 9 }, 10)).toEqual({
      id: 'i3', busyUs: 1, steps: 2, prefillTokens: 3, decodeTokens: 4, preemptions: 5, evictions: 7, prefixQueries: 8, prefixHits: 9, kvBlocksTotal: 10, requestsFinished: 6,
    });
  });
});
