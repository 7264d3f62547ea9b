import { loadGpu, loadModel } from './catalog/index.js';
import type { RooflineCoefficients } from './coefficients.js';
import { RooflineCostModel } from './roofline.js';
import { addToShape, emptyShape } from './types.js';

/**
 * Measured H100 times of Llama-2-7B's linear + norm ops (attention excluded, TP1, median, whole
 * forward = per-layer × 32 layers), from microsoft/vidur's profiling data
 * (data/profiling/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv), as quoted in issue 4.
 */
export const VIDUR_H100_LLAMA2_7B_LINEAR_NORM_MS: readonly { readonly tokens: number; readonly ms: number }[] = [
  { tokens: 1, ms: 5.6 },
  { tokens: 128, ms: 6.4 },
  { tokens: 512, ms: 12.0 },
  { tokens: 2048, ms: 40.5 },
  { tokens: 4096, ms: 82.9 },
];

/** One row of the reference comparison. */
export interface ReferenceRow {
  readonly tokens: number;
  readonly referenceMs: number;
  readonly modelMs: number;
  /** (model − reference) / reference. */
  readonly error: number;
}

/**
 * The roofline's linear + norm components for a `tokens`-token prefill of Llama-2-7B on one
 * H100 (the op set of the reference), against the reference figures.
 */
export function referenceComparison(coefficients?: RooflineCoefficients): ReferenceRow[] {
  const cost = new RooflineCostModel(loadModel('llama-2-7b'), loadGpu('h100-sxm'), { coefficients });
  return VIDUR_H100_LLAMA2_7B_LINEAR_NORM_MS.map(({ tokens, ms }) => {
    const shape = emptyShape();
    addToShape(shape, 0, tokens, false, true);
    const parts = cost.explain(shape).components;
    const us = parts.filter((p) => p.name === 'linear' || p.name === 'norm').reduce((a, p) => a + p.timeUs, 0);
    const modelMs = us / 1000;
    return { tokens, referenceMs: ms, modelMs, error: (modelMs - ms) / ms };
  });
}
