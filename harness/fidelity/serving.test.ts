import { describe, expect, test } from 'vitest';
import { DEFAULT_ROOFLINE } from '../../sim/cost-model/coefficients.js';
import { evaluateFidelity, summarizeFidelity } from '../../sim/cost-model/fidelity/evaluate.js';
import { SERVING_POINTS } from '../../sim/cost-model/fidelity/points.js';
import { servingCluster, servingPredictor } from './serving.js';

describe('fidelity: whole serving runs (held out)', () => {
  const results = evaluateFidelity(SERVING_POINTS, DEFAULT_ROOFLINE, servingPredictor());

  test('every gated TPOT/ITL point is within its tolerance', () => {
    const failed = results.filter((r) => !r.pass).map((r) => `${r.point.id}: ${(100 * r.error).toFixed(1)}%`);
    expect(failed).toEqual([]);
    expect(results.filter((r) => r.point.gated !== false).length).toBeGreaterThanOrEqual(7);
  });

  test('decode slows as the closed loop fills: ITL rises with concurrency as measured', () => {
    // ITL percentiles come from a log histogram, so neighbouring concurrencies (1 and 2: one more
    // sequence's K/V and logits row, ~1% of the step) may share a bucket: never lower, and higher
    // from end to end (measured: 5.1 → 7.1 ms).
    const itl = results.filter((r) => r.point.id.endsWith('-itl')).map((r) => r.predictedMs);
    for (let i = 1; i < itl.length; i++) expect(itl[i]!).toBeGreaterThanOrEqual(itl[i - 1]!);
    expect(itl.at(-1)!).toBeGreaterThan(1.1 * itl[0]!);
  });

  test('held-out TPOT/ITL: median |error| guarded at 5.5% (issue 17\'s 5% is not met since the H100 and A6000 runs joined)', () => {
    // 4.3% over the L4 and A100 runs when async scheduling's CPU/GPU overlap joined the model;
    // 5.07% with the single-stream H100 (+13.2%) and RTX A6000 (+8.2%) runs, which no coefficient
    // was chosen on either (docs/cost-model.md). A guard against drift, not a claim.
    const s = summarizeFidelity(results).find((x) => x.category === 'tpot' && x.split === 'held-out')!;
    expect(s.n).toBe(9);
    expect(s.medianAbsError).toBeLessThanOrEqual(0.055);
  });

  test('the single-stream points do not hang on the estimated prompt lengths', () => {
    // The H100 and A6000 sources publish their prompts, not token counts (46 and 40 tokens are
    // chat-template estimates). At concurrency 1 the prefill is one memory-bound step, so 16 or
    // 64 tokens move the simulated TTFT by under 1 ms and the TPOT not at all.
    const serve = servingPredictor();
    for (const id of ['h100-llama8b-c1', 'a6000-qwen7b-c1']) {
      for (const metric of ['ttft', 'tpot'] as const) {
        const p = SERVING_POINTS.find((x) => x.id === `${id}-${metric}`)!;
        const at = (inputTokens: number): number => serve({ ...p, target: { ...p.target, inputTokens } } as typeof p, DEFAULT_ROOFLINE);
        expect(Math.abs(at(64) - at(16))).toBeLessThan(metric === 'ttft' ? 1.5 : 0.01);
      }
    }
  });

  test('the simulated run is the measured one: the source\'s server arguments reach the cluster', () => {
    const l4 = SERVING_POINTS.filter((p) => p.gpu === 'l4');
    expect(l4.every((p) => p.source.includes('--gpu-memory-utilization 0.6 --max-model-len 8192'))).toBe(true);
    for (const p of l4) {
      const c = servingCluster(p, DEFAULT_ROOFLINE);
      expect(c.engine.maxModelLen).toBe(8192);
      // vLLM's API-server defaults below 70 GiB (vllm/engine/arg_utils.py): 2048 batched tokens, 256 sequences.
      expect(c.engine.maxNumBatchedTokens).toBe(2048);
      expect(c.engine.maxNumSeqs).toBe(256);
    }
    // 0.6 of the L4's 24 GiB holds fewer KV blocks than vLLM's default 0.9 would.
    const p = l4[0]!;
    const defaultUtil = servingCluster({ ...p, target: { ...p.target, server: {} } } as typeof p, DEFAULT_ROOFLINE);
    expect(servingCluster(p, DEFAULT_ROOFLINE).capacity.numBlocks).toBeLessThan(defaultUtil.capacity.numBlocks);
  });

  test('single-stream TTFT is the front end plus one prefill step (nothing queues at concurrency 1)', () => {
    // Qwen2.5-0.5B on L4, 256-token prompts: front end 4000 + 0.25 × 256 = 4064 µs, then the
    // 256-token prefill step on an idle engine, 8067 µs of GPU + 300 µs of CPU that no previous
    // step hides (explain-step --gpu l4 --model qwen2.5-0.5b --prefill 256): 12.431 ms, against
    // 27.0 ms measured (docs/cost-model.md says what the rest is not).
    const c1 = results.find((r) => r.point.id === 'l4-qwen0.5b-c1-ttft')!;
    expect(c1.predictedMs).toBeCloseTo(12.431, 3);
  });

  test('held-out TTFT: median |error| guarded at 40% (issue 17\'s target of 10% is not met)', () => {
    // 56.4% before the front end and async scheduling's admission lag; 44.8% after over the three
    // L4 points; 38.6% with the single-stream H100 (−15.3%) and RTX A6000 (−38.6%) points. A guard
    // against drift, not a claim of fidelity: the points stay reported, not gated.
    const s = summarizeFidelity(results).find((x) => x.category === 'ttft' && x.split === 'held-out')!;
    expect(s.n).toBe(5);
    expect(s.medianAbsError).toBeLessThanOrEqual(0.4);
  });

  test('TTFT is reported, never gated, and the summary says so', () => {
    const ttft = summarizeFidelity(results).find((s) => s.category === 'ttft')!;
    expect(ttft.ungated).toBe(ttft.n);
    expect(ttft.failures).toBe(0);
  });

  test('runs are deterministic: the same point twice gives the same figure', () => {
    const again = evaluateFidelity(SERVING_POINTS.slice(0, 1), DEFAULT_ROOFLINE, servingPredictor());
    expect(again[0]!.predictedMs).toBe(results[0]!.predictedMs);
  });
});
