import { describe, expect, test } from 'vitest';
import { SeededRng } from '../../rng.js';
import { loadGpu, loadModel } from '../catalog/index.js';
import { DEFAULT_ROOFLINE, type RooflineCoefficients } from '../coefficients.js';
import { RooflineCostModel } from '../roofline.js';
import { addToShape, emptyShape } from '../types.js';
import { fitCoefficients } from './fit.js';
import type { Observation } from './observations.js';

const model = loadModel('llama-3.1-8b');
const gpu = loadGpu('h100-sxm');

const TRUE: RooflineCoefficients = {
  ...DEFAULT_ROOFLINE,
  computeEfficiency: 0.55, attentionEfficiency: 0.35, memoryEfficiency: 0.72, stepOverheadUs: 800, perSeqOverheadUs: 6,
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
    const fit = fitCoefficients(model, gpu, 1, obs, DEFAULT_ROOFLINE);
    const k = fit.coefficients;
    expect(k.computeEfficiency).toBeCloseTo(TRUE.computeEfficiency, 1);
    expect(Math.abs(k.computeEfficiency / TRUE.computeEfficiency - 1)).toBeLessThan(0.05);
    expect(Math.abs(k.attentionEfficiency / TRUE.attentionEfficiency - 1)).toBeLessThan(0.1);
    expect(Math.abs(k.memoryEfficiency / TRUE.memoryEfficiency - 1)).toBeLessThan(0.05);
    expect(Math.abs(k.stepOverheadUs - TRUE.stepOverheadUs)).toBeLessThan(150);
    expect(Math.abs(k.perSeqOverheadUs - TRUE.perSeqOverheadUs)).toBeLessThan(1.5);
    expect(fit.fitted).toEqual(expect.arrayContaining(['computeEfficiency', 'memoryEfficiency', 'stepOverheadUs']));
    expect(fit.held).toContain('kernelOverheadUs');
    const m = fit.mape.stepMs!;
    expect(m.n).toBe(300);
    expect(m.fitted).toBeLessThan(0.03);
    expect(m.fitted).toBeLessThan(m.prior);
    console.log(k, fit.mape, fit.iterations);
  });
});
