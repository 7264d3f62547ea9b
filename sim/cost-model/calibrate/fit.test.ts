import { describe, expect, test } from 'vitest';
import { SeededRng } from '../../../policies/rng.js';
import { loadGpu, loadModel } from '../catalog/index.js';
import { DEFAULT_ROOFLINE, type RooflineCoefficients } from '../coefficients.js';
import { RooflineCostModel } from '../roofline.js';
import { addToShape, emptyShape } from '../types.js';
import { fitCoefficients } from './fit.js';
import { toObservations, type Observation } from './observations.js';

const model = loadModel('llama-3.1-8b');
const gpu = loadGpu('h100-sxm');

// A synchronous engine (cpuOverlap 0): CPU and GPU time add up, so the per-step and per-sequence
// overheads show in every step and can be recovered.
const SYNC: RooflineCoefficients = { ...DEFAULT_ROOFLINE, cpuOverlap: 0 };
// Calibration keeps the prior's ratio of attention to streaming bandwidth (fit.ts), so the truth does too.
const TRUE: RooflineCoefficients = {
  ...SYNC,
  computeEfficiency: 0.55, attentionEfficiency: 0.35, memoryEfficiency: 0.72, stepOverheadUs: 800, perSeqOverheadUs: 6,
  attentionMemoryEfficiency: 0.72 * (DEFAULT_ROOFLINE.attentionMemoryEfficiency / DEFAULT_ROOFLINE.memoryEfficiency),
};

/** Random batches (decode-only, prefill-only, mixed), timed by the roofline with TRUE and noised. */
function synthetic(n: number, noise: number, seed: number): Observation[] {
  const rng = new SeededRng(seed);
  const truth = new RooflineCostModel(model, gpu, { coefficients: TRUE });
  const out: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const shape = emptyShape();
    const kind = i % 3;
    if (kind !== 1) {
      const decodes = 1 + rng.int(256);
      const ctx = 128 + rng.int(16_000);
      for (let d = 0; d < decodes; d++) addToShape(shape, ctx, 1, true, true);
    }
    if (kind !== 0) addToShape(shape, rng.int(8000), 16 + rng.int(8000), false, true);
    // Multiplicative noise, roughly normal (sum of uniforms), relative std `noise`.
    const z = (rng.float() + rng.float() + rng.float() - 1.5) * 2;
    out.push({ metric: 'stepMs', observedUs: truth.stepTimeUs(shape) * (1 + noise * z), parts: [{ shape, count: 1 }], label: `s${i}` });
  }
  return out;
}

describe('fitCoefficients', () => {
  test('recovers known coefficients from noisy synthetic step observations', () => {
    const obs = synthetic(300, 0.03, 7);
    const fit = fitCoefficients(model, gpu, 1, obs, SYNC);
    const k = fit.coefficients;
    expect(k.computeEfficiency).toBeCloseTo(TRUE.computeEfficiency, 1);
    expect(Math.abs(k.computeEfficiency / TRUE.computeEfficiency - 1)).toBeLessThan(0.05);
    expect(Math.abs(k.attentionEfficiency / TRUE.attentionEfficiency - 1)).toBeLessThan(0.1);
    expect(Math.abs(k.memoryEfficiency / TRUE.memoryEfficiency - 1)).toBeLessThan(0.05);
    expect(Math.abs(k.stepOverheadUs - TRUE.stepOverheadUs)).toBeLessThan(150);
    // The smooth roofline's curvature near the ridge makes the terms less separable under 3% noise.
    expect(Math.abs(k.perSeqOverheadUs - TRUE.perSeqOverheadUs)).toBeLessThan(2);
    expect(fit.fitted).toEqual(expect.arrayContaining(['computeEfficiency', 'memoryEfficiency', 'stepOverheadUs']));
    expect(fit.held).toContain('kernelOverheadUs');
    const m = fit.mape.stepMs!;
    expect(m.n).toBe(300);
    expect(m.fitted).toBeLessThan(0.03);
    expect(m.fitted).toBeLessThan(m.prior);
    expect(fit.warnings).toEqual([]);
  });

  test('recovers efficiencies and the front end from requests measured one at a time (TTFT and E2E)', () => {
    const rng = new SeededRng(11);
    // Timed at the client: the API-server front end (6 ms + 0.5 µs per prompt token here) comes
    // once before the steps.
    const trueFe: RooflineCoefficients = { ...TRUE, frontendUs: 6000, frontendPerPromptTokenUs: 0.5 };
    const truth = new RooflineCostModel(model, gpu, { coefficients: trueFe });
    const file = {
      model: 'llama-3.1-8b', gpu: 'h100-sxm', tensorParallel: 1, maxNumBatchedTokens: 8192, steps: [],
      requests: Array.from({ length: 60 }, () => ({
        promptTokens: 100 + rng.int(20_000), outputTokens: 1 + rng.int(500), cachedTokens: 0, ttftMs: 1, e2eMs: 1,
      })),
    };
    const obs = toObservations(file).map((o) => {
      expect(o.frontendPromptTokens).toBeGreaterThanOrEqual(100);
      const us = o.parts.reduce((a, p) => a + p.count * truth.stepTimeUs(p.shape), 0) + truth.frontendUs(o.frontendPromptTokens!);
      return { ...o, observedUs: us * (1 + 0.02 * (rng.float() - 0.5) * 2) };
    });
    const fit = fitCoefficients(model, gpu, 1, obs, SYNC);
    // The front end: 6 ms next to TTFTs of 10-800 ms under 2% noise is pinned to about ±1.5 ms.
    expect(fit.fitted).toContain('frontendUs');
    expect(Math.abs(fit.coefficients.frontendUs - 6000)).toBeLessThan(1500);
    // One sequence's K/V is small next to the weights, and the weights read is the same every
    // step, so the bandwidth is pinned only loosely (±7%) apart from the per-step overhead.
    expect(Math.abs(fit.coefficients.computeEfficiency / TRUE.computeEfficiency - 1)).toBeLessThan(0.07);
    expect(Math.abs(fit.coefficients.memoryEfficiency / TRUE.memoryEfficiency - 1)).toBeLessThan(0.07);
    // One sequence per step: the per-sequence cost cannot be told from the per-step one.
    expect(fit.held).toContain('perSeqOverheadUs');
    expect(fit.coefficients.perSeqOverheadUs).toBe(DEFAULT_ROOFLINE.perSeqOverheadUs);
    expect(fit.mape.ttftMs!.fitted).toBeLessThan(0.03);
    expect(fit.mape.e2eMs!.fitted).toBeLessThan(0.03);
  });

  test('step observations leave the front end at the prior; requests of one prompt length hold its per-token term', () => {
    const steps = fitCoefficients(model, gpu, 1, synthetic(60, 0.01, 4), SYNC);
    expect(steps.held).toEqual(expect.arrayContaining(['frontendUs', 'frontendPerPromptTokenUs']));
    const truth = new RooflineCostModel(model, gpu, { coefficients: { ...TRUE, frontendUs: 9000 } });
    const file = {
      model: 'llama-3.1-8b', gpu: 'h100-sxm', tensorParallel: 1, maxNumBatchedTokens: 8192, steps: [],
      requests: Array.from({ length: 30 }, (_, i) => ({ promptTokens: 2000, outputTokens: 10 + 10 * i, cachedTokens: 0, ttftMs: 1, e2eMs: 1 })),
    };
    const obs = toObservations(file).map((o) => ({
      ...o, observedUs: o.parts.reduce((a, p) => a + p.count * truth.stepTimeUs(p.shape), 0) + truth.frontendUs(o.frontendPromptTokens!),
    }));
    const fit = fitCoefficients(model, gpu, 1, obs, SYNC);
    expect(fit.held).toContain('frontendPerPromptTokenUs');
    expect(fit.coefficients.frontendPerPromptTokenUs).toBe(DEFAULT_ROOFLINE.frontendPerPromptTokenUs);
    expect(fit.fitted).toContain('frontendUs');
  });

  test('recovers the interconnect efficiency with tensor parallelism', () => {
    const m70 = loadModel('llama-3.1-70b');
    const trueTp = { ...TRUE, interconnectEfficiency: 0.5 };
    const truth = new RooflineCostModel(m70, gpu, { coefficients: trueTp, tensorParallel: 4 });
    const rng = new SeededRng(5);
    const obs: Observation[] = Array.from({ length: 200 }, (_, i) => {
      const shape = emptyShape();
      for (let d = rng.int(128); d > 0; d--) addToShape(shape, 100 + rng.int(8000), 1, true, true);
      if (i % 2 === 0 || shape.decodeSeqs === 0) addToShape(shape, rng.int(4000), 1 + rng.int(8192), false, true);
      return { metric: 'stepMs', observedUs: truth.stepTimeUs(shape) * (1 + 0.01 * (rng.float() - 0.5)), parts: [{ shape, count: 1 }], label: `s${i}` };
    });
    const fit = fitCoefficients(m70, gpu, 4, obs, SYNC);
    expect(fit.fitted).toContain('interconnectEfficiency');
    expect(Math.abs(fit.coefficients.interconnectEfficiency / 0.5 - 1)).toBeLessThan(0.12);
    expect(fit.mape.stepMs!.fitted).toBeLessThan(0.01);
  });

  test('with async scheduling (cpuOverlap 1) hidden CPU overheads keep the prior; the efficiencies are still recovered', () => {
    // Every synthetic step is ≥ 16 GB of weights at 0.72 × 3.35 TB/s ≈ 6.6 ms of GPU time, far
    // above the 800 + 6 × 256 µs of CPU work: the step is the GPU time alone, whatever the
    // overheads are, so the fit cannot (and must not) move them.
    const truth: RooflineCoefficients = { ...TRUE, cpuOverlap: 1 };
    const rng = new SeededRng(3);
    const timed = new RooflineCostModel(model, gpu, { coefficients: truth });
    const obs: Observation[] = synthetic(120, 0, 9).map((o, i) => {
      const shape = o.parts[0]!.shape;
      return { ...o, observedUs: timed.stepTimeUs(shape) * (1 + 0.01 * (rng.float() - 0.5)), label: `a${i}` };
    });
    const fit = fitCoefficients(model, gpu, 1, obs, DEFAULT_ROOFLINE);
    expect(fit.held).toEqual(expect.arrayContaining(['stepOverheadUs', 'perSeqOverheadUs', 'cpuOverlap']));
    expect(fit.coefficients.stepOverheadUs).toBe(DEFAULT_ROOFLINE.stepOverheadUs);
    expect(Math.abs(fit.coefficients.computeEfficiency / truth.computeEfficiency - 1)).toBeLessThan(0.05);
    expect(Math.abs(fit.coefficients.memoryEfficiency / truth.memoryEfficiency - 1)).toBeLessThan(0.05);
    expect(fit.mape.stepMs!.fitted).toBeLessThan(0.01);
  });

  test('warns when observations are too few or faster than the datasheet', () => {
    // Decode steps of 1-4 sequences said to take 1.0-1.3 ms: 16 GB of weights in ~1 ms is
    // 16 TB/s on a 3.35 TB/s GPU.
    const obs: Observation[] = [1, 2, 3, 4].map((n) => {
      const shape = emptyShape();
      for (let i = 0; i < n; i++) addToShape(shape, 1000 * n, 1, true, true);
      return { metric: 'stepMs', observedUs: 900 + 100 * n, parts: [{ shape, count: 1 }], label: `s${n}` };
    });
    const fit = fitCoefficients(model, gpu, 1, obs, DEFAULT_ROOFLINE);
    expect(fit.warnings.join('\n')).toMatch(/4 observations for \d+ fitted coefficients/);
    expect(fit.warnings.join('\n')).toMatch(/memoryEfficiency fitted to .* > 1/);
  });
});
