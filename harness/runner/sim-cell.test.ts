import { describe, expect, it } from 'vitest';
import { LinearCostModel } from '../../sim/engine/testing.js';
import { RooflineCostModel } from '../../sim/cost-model/roofline.js';
import { addToShape, emptyShape } from '../../sim/cost-model/types.js';
import { requestLatencies } from '../../reports/records.js';
import { runTestCell, testCluster } from './testing.js';

const constantLengths = { systemTokens: 0, taskTokens: 100, outputTokens: 64 };

describe('simulation, golden cases', () => {
  it('one request alone on an idle instance: TTFT = the cost model\'s single prefill step (hand-computed)', () => {
    const r = runTestCell({
      workload: { pattern: 'sequential', agents: 1, ...constantLengths, contextTokens: 400 },
      costModel: new LinearCostModel(),
    });
    const req = r.requests.rows()[0]!;
    // Prompt = 400 context + 100 task = 500 tokens: 1000 + 10 × 500 = 6000 µs; then 63 decodes of 1005 µs.
    expect(req.promptTokens).toBe(500);
    expect(req.firstTokenUs - req.sendUs).toBe(6000);
    expect(req.endUs - req.sendUs).toBe(6000 + 63 * 1005);
    expect(req.queueUs).toBe(0);
  });

  it('with the default roofline, TTFT is the front end plus the single prefill step on an idle engine', () => {
    const r = runTestCell({ workload: { pattern: 'sequential', agents: 1, ...constantLengths, contextTokens: 1948 } });
    const c = testCluster();
    const shape = emptyShape();
    addToShape(shape, 0, 2048, false, true);
    const cost = new RooflineCostModel(c.model, c.gpu);
    // Front end: frontendUs 4000 + frontendPerPromptTokenUs 0.25 × 2048 prompt tokens = 4512 µs.
    expect(cost.frontendUs(2048)).toBe(4512);
    // The engine was idle: async scheduling has no earlier step to hide this one's 300 µs of
    // CPU work (stepOverheadUs) behind, so the step is GPU + CPU = stepTimeUs + 300.
    expect(cost.stepTimeAfterIdleUs(shape)).toBeCloseTo(cost.stepTimeUs(shape) + 300, 6);
    const expected = 4512 + Math.round(cost.stepTimeAfterIdleUs(shape));
    const req = r.requests.rows()[0]!;
    expect(req.firstTokenUs - req.sendUs).toBe(expected);
  });

  it('the front end delays the request before the engine: TTFT, E2E and queue grow by it, ITL does not', () => {
    // A linear cost model with a front end of 2000 µs + 1 µs per prompt token.
    class WithFrontend extends LinearCostModel {
      frontendUs(promptTokens: number): number {
        return 2000 + promptTokens;
      }
    }
    const r = runTestCell({ workload: { pattern: 'sequential', agents: 1, ...constantLengths, contextTokens: 400 }, costModel: new WithFrontend() });
    const req = r.requests.rows()[0]!;
    // 500 prompt tokens: front end 2000 + 500 = 2500 µs, then the 6000 µs prefill; decodes unchanged.
    expect(req.firstTokenUs - req.sendUs).toBe(2500 + 6000);
    expect(req.endUs - req.sendUs).toBe(2500 + 6000 + 63 * 1005);
    // Send → first scheduled: the request reached the engine 2500 µs after it was sent.
    expect(req.queueUs).toBe(2500);
  });

  it('an attempt that times out in the front end never reaches the engine', () => {
    class SlowFrontend extends LinearCostModel {
      frontendUs(): number {
        return 50_000;
      }
    }
    // First-token timeout 10 ms, one attempt: the call fails 10 ms after it was sent, 40 ms before
    // its front end would have handed it to the engine; the engine never runs a step.
    const r = runTestCell({
      workload: { pattern: 'sequential', agents: 1, ...constantLengths }, costModel: new SlowFrontend(),
      router: { retry: { firstTokenTimeoutS: 0.01, maxAttempts: 1 } },
    });
    expect(r.requests.rows()[0]!.outcome).toBe('timeout');
    expect(r.requests.rows()[0]!.endUs - r.requests.rows()[0]!.sendUs).toBe(10_000);
    expect(r.instances[0]!.steps).toBe(0);
  });

  it('a sequential workflow\'s makespan is the sum of its calls\' latencies plus its tool waits', () => {
    const r = runTestCell({
      workload: { pattern: 'sequential', agents: 4, ...constantLengths, contextTokens: 300, toolWaitMs: 250, toolResultTokens: 50 },
    });
    expect(r.workflows).toHaveLength(1);
    const wf = r.workflows.at(0)!;
    const callsUs = r.requests.rows().reduce((s, q) => s + (q.endUs - q.sendUs), 0);
    expect(wf.endUs - wf.startUs).toBe(callsUs + 3 * 250_000);
    expect(wf.outcome).toBe('completed');
    // Broadcast: agent k sees context + every earlier output and tool result, then its task.
    // Agent k's prompt shares with agent k-1's everything before k-1's task (whole blocks):
    // agent 1: context 300 -> 288; agent 2: 300 + 64 + 50 = 414 -> 400; agent 3: 528 -> 528.
    expect(r.requests.rows().map((q) => q.cachedPromptTokens)).toEqual([0, 288, 400, 528]);
    // The critical path (each call alone, cold cache) is a lower bound on the makespan.
    expect(wf.criticalPathUs).toBeGreaterThan(0);
    expect(wf.criticalPathUs).toBeLessThanOrEqual(wf.endUs - wf.startUs);
  });
});

describe('prefix caching end to end (issue #3 "done when")', () => {
  // 4,000 shared context tokens, planner -> 8 workers -> aggregator on one instance, no system
  // prompt, so every call starts with the same 250 blocks of context.
  const shared = {
    pattern: 'parallel', workers: 8, systemTokens: 0, contextTokens: 4000, taskTokens: 100, outputTokens: 64,
    workflows: 3, arrivals: { kind: 'constant', ratePerSec: 0.2 },
  };

  it('reports the analytical prefix-cache hit rate', () => {
    const r = runTestCell({ workload: shared });
    // Per workflow (hand-computed): planner 4,100 prompt tokens, 0 hit; first worker 4,164 / 4,000
    // hit (the context the planner left cached); 7 more workers 4,164 / 4,064 (context + the
    // planner output blocks the first worker cached); aggregator 4,612 / 4,000.
    const prompt = 4100 + 8 * 4164 + 4612;
    const hits = 4000 + 7 * 4064 + 4000;
    expect(r.summary['prefixCacheHitRate']).toBeCloseTo(hits / prompt, 6);
    expect(hits / prompt).toBeCloseTo(0.8673, 4);
    expect(r.summary['workflowsCompleted']).toBe(3);
  });

  it('with prefix caching off the hit rate is 0 and TTFT is higher', () => {
    const on = runTestCell({ workload: shared });
    const off = runTestCell({ workload: shared, cluster: { enablePrefixCaching: false } });
    expect(off.summary['prefixCacheHitRate']).toBe(0);
    expect(off.summary['engineCacheHitRate']).toBe(0);
    expect(off.summary['ttftMsP50']!).toBeGreaterThan(on.summary['ttftMsP50']! * 2);
  });

  it('a memory-starved instance preempts, and every workflow still completes', () => {
    const r = runTestCell({
      cluster: { kvBlocks: 400 },
      workload: { pattern: 'parallel', workers: 8, systemTokens: 0, contextTokens: 0, taskTokens: 1000, outputTokens: 300, workflows: 2 },
    });
    expect(r.summary['preemptions']).toBeGreaterThan(0);
    expect(r.requests.rows().some((q) => q.preemptions > 0)).toBe(true);
    expect(r.summary['workflowsCompleted']).toBe(2);
    expect(r.requests.rows().every((q) => q.outcome === 'ok')).toBe(true);
    for (const q of r.requests) expect(Number.isFinite(requestLatencies(q).ttftMs)).toBe(true);
  });
});
