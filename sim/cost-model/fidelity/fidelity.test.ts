import { describe, expect, test } from 'vitest';
import { DEFAULT_ROOFLINE } from '../coefficients.js';
import { evaluateFidelity, predictMs, summarizeFidelity } from './evaluate.js';
import { FIDELITY_POINTS, type FidelityPoint } from './points.js';

describe('fidelity suite (npm run fidelity)', () => {
  const results = evaluateFidelity(FIDELITY_POINTS);

  test('every published point is within its stated tolerance with the default coefficients', () => {
    const failed = results.filter((r) => !r.pass).map((r) => `${r.point.id}: ${(100 * r.error).toFixed(1)}% (±${100 * r.point.tolerance}%)`);
    expect(failed).toEqual([]);
  });

  test('held-out linear + norm points: median |error| guarded at 6.5%', () => {
    // Issue 17's target is 5%; the held-out median is 6.33% over 53 rows since the A100/A40 70B,
    // A100 Llama-3-8B and CodeLlama-34B profiles joined (5.05% over the first 18;
    // docs/cost-model.md). The guard catches drift without re-fitting to held-out data.
    const s = summarizeFidelity(results).find((x) => x.category === 'operator' && x.split === 'held-out')!;
    expect(s.n).toBeGreaterThanOrEqual(53);
    expect(s.medianAbsError).toBeLessThanOrEqual(0.065);
  });

  test('the suite keeps data out of the fit and covers more than one GPU in it', () => {
    const held = FIDELITY_POINTS.filter((p) => p.split === 'held-out');
    expect(held.length).toBeGreaterThan(FIDELITY_POINTS.length / 2);
    expect(new Set(held.map((p) => p.gpu)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(FIDELITY_POINTS.map((p) => p.id)).size).toBe(FIDELITY_POINTS.length);
  });

  test('measured figures are the sums of the published per-layer medians (A100, 128 tokens, by hand)', () => {
    // input_layernorm 0.005 + qkv 0.0745 + o 0.032 + post_attention_layernorm 0.005 + gate_up 0.157
    // + down 0.088 = 0.3615 ms per layer × 32 layers = 11.568 ms.
    expect(FIDELITY_POINTS.find((p) => p.id === 'a100-7b-linear-128')!.measuredMs).toBe(11.568);
    // A40 Llama-2-70B, 4096 tokens, TP1: 0.315 + 5.9755 + 4.696 + 0.312 + 35.424 + 16.8845
    // = 63.607 ms per layer × 80 layers = 5088.56 ms.
    expect(FIDELITY_POINTS.find((p) => p.id === 'a40-70b-linear-4096')!.measuredMs).toBe(5088.56);
  });

  test('a point fails when the model drifts: halving the compute efficiency breaks the compute-bound rows', () => {
    const slow = evaluateFidelity(FIDELITY_POINTS, { ...DEFAULT_ROOFLINE, computeEfficiency: DEFAULT_ROOFLINE.computeEfficiency / 2 });
    expect(slow.find((r) => r.point.id === 'a100-7b-linear-4096')!.pass).toBe(false);
    expect(slow.find((r) => r.point.id === 'a100-7b-linear-1')!.pass).toBe(true); // memory-bound: unaffected
  });

  test('decode attention is priced from the K/V bytes read at the attention bandwidth', () => {
    // One layer of Llama-2-70B at TP2 on A100: 64 sequences × 2688 tokens × 4 KV heads × 128 × 2
    // (K and V) × 2 B = 352,321,536 B at 0.77 × 2,039 GB/s = 224.4 µs, + the q/o bytes (64 × 2 ×
    // 32 heads × 128 × 2 B = 1 MB at 0.84 × 2,039 GB/s = 0.3 µs); compute 4 × 32 × 128 × 64 × 2688
    // = 2.82 GFLOP at 0.5 × 312 TFLOPS = 18.1 µs, 0.08 of memory, adds (1 + 0.08^2.5)^(1/2.5):
    // +0.07%; + 2 kernels × 6.5 µs.
    const p: FidelityPoint = { ...FIDELITY_POINTS.find((x) => x.id === 'a100-attn-b64-c2688')! };
    const m = ((64 * 2688 * 4 * 128 * 2 * 2) / (0.77 * 2039e9) + (64 * 2 * 32 * 128 * 2) / (0.84 * 2039e9)) * 1e6;
    const c = ((4 * 32 * 128 * 64 * 2688) / (0.5 * 312e12)) * 1e6;
    const expected = (m * Math.pow(1 + Math.pow(c / m, 2.5), 1 / 2.5) + 13) / 1000;
    expect(expected).toBeCloseTo(0.2382, 4);
    expect(predictMs(p)).toBeCloseTo(expected, 4);
  });
});
