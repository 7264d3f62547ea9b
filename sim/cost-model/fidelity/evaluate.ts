import { loadGpu, loadModel } from '../catalog/index.js';
import { DEFAULT_ROOFLINE, type RooflineCoefficients } from '../coefficients.js';
import { RooflineCostModel } from '../roofline.js';
import { addToShape, emptyShape } from '../types.js';
import type { FidelityCategory, FidelityPoint } from './points.js';

/** One point's prediction against its measurement. */
export interface FidelityResult {
  readonly point: FidelityPoint;
  readonly predictedMs: number;
  /** (predicted − measured) / measured. */
  readonly error: number;
  readonly pass: boolean;
}

/** Median of |error| and worst |error| for a group of results. */
export interface FidelitySummary {
  readonly category: FidelityCategory;
  readonly split: FidelityPoint['split'];
  readonly n: number;
  readonly medianAbsError: number;
  readonly maxAbsError: number;
  readonly failures: number;
  /** Points reported but not gated. */
  readonly ungated: number;
}

/** Predicts a whole serving run's metric (the harness supplies it: it runs the simulator). */
export type ServingPredictor = (p: FidelityPoint, coefficients: RooflineCoefficients) => number;

/** Predict one point with the roofline (datasheet figures of its GPU, the given coefficients). */
export function predictMs(p: FidelityPoint, coefficients: RooflineCoefficients = DEFAULT_ROOFLINE, serve?: ServingPredictor): number {
  if (p.target.kind === 'serving') {
    if (!serve) throw new Error(`${p.id}: a serving point needs the simulator (harness/fidelity)`);
    return serve(p, coefficients);
  }
  const model = loadModel(p.model);
  const cost = new RooflineCostModel(model, loadGpu(p.gpu), { coefficients, tensorParallel: p.tensorParallel });
  const shape = emptyShape();
  const t = p.target;
  if (t.kind === 'linear-norm') {
    addToShape(shape, 0, t.tokens, false, true);
    const parts = cost.explain(shape).components;
    return parts.filter((c) => c.name === 'linear' || c.name === 'norm').reduce((a, c) => a + c.timeUs, 0) / 1000;
  }
  // vidur's kv_cache_size is the context each decode attends to (including its new token).
  for (let i = 0; i < t.batch; i++) addToShape(shape, t.context - 1, 1, true, true);
  const attn = cost.explain(shape).components.find((c) => c.name === 'attention')!;
  return attn.timeUs / model.numLayers / 1000;
}

/** Evaluate every point. */
export function evaluateFidelity(
  points: readonly FidelityPoint[], coefficients: RooflineCoefficients = DEFAULT_ROOFLINE, serve?: ServingPredictor,
): FidelityResult[] {
  return points.map((point) => {
    const predictedMs = predictMs(point, coefficients, serve);
    const error = (predictedMs - point.measuredMs) / point.measuredMs;
    return { point, predictedMs, error, pass: point.gated === false || Math.abs(error) <= point.tolerance };
  });
}

/** Median of a non-empty list. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Per (category, split) summaries, in a stable order; empty groups are left out. */
export function summarizeFidelity(results: readonly FidelityResult[]): FidelitySummary[] {
  const out: FidelitySummary[] = [];
  for (const category of ['operator', 'attention', 'tpot', 'ttft'] as const) {
    for (const split of ['fit', 'held-out'] as const) {
      const group = results.filter((r) => r.point.category === category && r.point.split === split);
      if (group.length === 0) continue;
      const abs = group.map((r) => Math.abs(r.error));
      out.push({
        category, split, n: group.length, medianAbsError: median(abs), maxAbsError: Math.max(...abs),
        failures: group.filter((r) => !r.pass).length, ungated: group.filter((r) => r.point.gated === false).length,
      });
    }
  }
  return out;
}
