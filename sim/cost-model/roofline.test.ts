import { describe, expect, test } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { GPU_NAMES, MODEL_NAMES, loadGpu, loadModel } from './catalog/index.js';
import { DEFAULT_ROOFLINE } from './coefficients.js';
import { referenceComparison } from './reference.js';
import { RooflineCostModel, smoothRoofline } from './roofline.js';
import { addToShape, emptyShape, type StepShape } from './types.js';

const h100 = loadGpu('h100-sxm');
const llama8b = loadModel('llama-3.1-8b');

function shapeOf(prefill: readonly [tokens: number, context: number][], decodeContexts: readonly number[]): StepShape {
  const s = emptyShape();
  for (const [tokens, context] of prefill) addToShape(s, context, tokens, false, true);
  for (const c of decodeContexts) addToShape(s, c, 1, true, true);
  return s;
}

describe('vidur H100 reference: Llama-2-7B linear + norm ops, TP1', () => {
  test('every figure within 15% with the default coefficients', () => {
    const rows = referenceComparison();
    expect(rows.map((r) => r.tokens)).toEqual([1, 128, 512, 2048, 4096]);
    for (const r of rows) expect(Math.abs(r.error), `${r.tokens} tokens: ${r.modelMs.toFixed(2)} ms vs ${r.referenceMs} ms`).toBeLessThan(0.15);
    // The defaults were fitted to these rows; a change that drifts them far is a regression.
    expect(Math.max(...rows.map((r) => Math.abs(r.error)))).toBeLessThan(0.06);
  });

  test('the comparison really depends on the coefficients', () => {
    const slow = referenceComparison({ ...DEFAULT_ROOFLINE, computeEfficiency: 0.4 });
    expect(slow.find((r) => r.tokens === 4096)!.error).toBeGreaterThan(0.5);
  });
});

describe('roofline on H100, Llama-3.1-8B', () => {
  const cost = new RooflineCostModel(llama8b, h100);

  test('an empty step costs nothing; any work costs at least the step overhead', () => {
    expect(cost.stepTimeUs(emptyShape())).toBe(0);
    expect(cost.stepTimeUs(shapeOf([], [10]))).toBeGreaterThan(DEFAULT_ROOFLINE.stepOverheadUs);
  });

  test('decode is memory-bound, a large prefill compute-bound', () => {
    for (const batch of [1, 8, 64]) {
      const b = cost.explain(shapeOf([], Array.from({ length: batch }, () => 2048)));
      const linear = b.components.find((c) => c.name === 'linear')!;
      const attention = b.components.find((c) => c.name === 'attention')!;
      expect(linear.bound, `linear at decode batch ${batch}`).toBe('memory');
      expect(attention.bound, `attention at decode batch ${batch}`).toBe('memory');
    }
    const p = cost.explain(shapeOf([[4096, 0]], []));
    expect(p.components.find((c) => c.name === 'linear')!.bound).toBe('compute');
    expect(p.components.find((c) => c.name === 'attention')!.bound).toBe('compute');
    const compute = p.components.reduce((a, c) => a + (c.bound === 'compute' ? c.timeUs : 0), 0);
    expect(compute / p.totalUs).toBeGreaterThan(0.8);
  });

  test('explain adds up to stepTimeUs and names every component once', () => {
    const s = shapeOf([[512, 1000]], [100, 2000, 30000]);
    const b = cost.explain(s);
    expect(b.totalUs).toBe(cost.stepTimeUs(s));
    expect(b.components.reduce((a, c) => a + c.timeUs, 0)).toBeCloseTo(b.totalUs, 6);
    expect(b.components.map((c) => c.name)).toEqual(['linear', 'attention', 'kv-write', 'norm', 'elementwise', 'lm-head', 'all-reduce', 'overhead']);
    expect(b.components.find((c) => c.name === 'all-reduce')!.timeUs).toBe(0); // TP1
    expect(b.tokens).toBe(515);
    expect(b.seqs).toBe(4);
  });

  test('coefficients move the time the way they should', () => {
    const s = shapeOf([], [1000]);
    const slowMem = new RooflineCostModel(llama8b, h100, { coefficients: { ...DEFAULT_ROOFLINE, memoryEfficiency: 0.42 } });
    const base = cost.explain(s).components.find((c) => c.name === 'linear')!;
    const slow = slowMem.explain(s).components.find((c) => c.name === 'linear')!;
    expect(slow.memoryUs).toBeCloseTo(2 * base.memoryUs, 6);
    // Synchronous engine (cpuOverlap 0): CPU and GPU time add up, so +1000 µs of CPU is +1000 µs.
    const sync = (stepOverheadUs: number) => new RooflineCostModel(llama8b, h100, { coefficients: { ...DEFAULT_ROOFLINE, cpuOverlap: 0, stepOverheadUs } });
    expect(sync(1300).stepTimeUs(s) - sync(300).stepTimeUs(s)).toBeCloseTo(1000, 6);
  });

  test('async scheduling (cpuOverlap 1) hides the CPU time behind a longer GPU step, and the GPU time behind a longer CPU step', () => {
    // One decode at context 1000 of Llama-3.1-8B on H100: ~16 GB of weights at 0.84 × 3.35 TB/s
    // ≈ 5.7 ms of GPU time, far above 300 µs of CPU: the step is the GPU time alone.
    const s = shapeOf([], [1000]);
    const b = cost.explain(s);
    expect(b.cpuUs).toBe(300);
    expect(b.hiddenUs).toBe(300);
    expect(b.totalUs).toBeCloseTo(b.gpuUs, 6);
    expect(b.components.find((c) => c.name === 'overhead')!.timeUs).toBe(0);
    const sync = new RooflineCostModel(llama8b, h100, { coefficients: { ...DEFAULT_ROOFLINE, cpuOverlap: 0 } });
    expect(sync.stepTimeUs(s) - cost.stepTimeUs(s)).toBeCloseTo(300, 6);
    // 20 ms of CPU per step exceeds the GPU time: the step is the CPU time, the GPU work hidden.
    const cpuBound = new RooflineCostModel(llama8b, h100, { coefficients: { ...DEFAULT_ROOFLINE, stepOverheadUs: 20_000 } });
    const c = cpuBound.explain(s);
    expect(c.totalUs).toBeCloseTo(20_000, 6);
    expect(c.hiddenUs).toBeCloseTo(b.gpuUs, 6);
    // Half overlap: GPU + CPU − 0.5 × min(GPU, CPU).
    const half = new RooflineCostModel(llama8b, h100, { coefficients: { ...DEFAULT_ROOFLINE, cpuOverlap: 0.5 } });
    expect(half.stepTimeUs(s)).toBeCloseTo(b.gpuUs + 300 - 150, 6);
  });
});

describe('monotonicity: more tokens, sequences or context never cost less', () => {
  const rng = new SeededRng(42);
  const cases = MODEL_NAMES.flatMap((m) => GPU_NAMES.map((g) => [m, g] as const));
  test.each(cases)('%s on %s', (modelName, gpuName) => {
    const model = loadModel(modelName);
    const tp = modelName === 'llama-3.1-70b' || modelName === 'qwen2.5-32b' ? 4 : modelName === 'mixtral-8x7b' ? 2 : 1;
    const cost = new RooflineCostModel(model, loadGpu(gpuName), { tensorParallel: tp });
    const r = rng.fork(`${modelName}/${gpuName}`);
    for (let i = 0; i < 40; i++) {
      const prefill: [number, number][] = Array.from({ length: r.int(3) }, () => [1 + r.int(4096), r.int(20_000)]);
      const decodes = Array.from({ length: r.int(64) }, () => r.int(30_000));
      const base = cost.stepTimeUs(shapeOf(prefill, decodes));
      const variants: StepShape[] = [
        shapeOf(prefill, [...decodes, r.int(30_000)]), // one more decode
        shapeOf([...prefill, [1 + r.int(2048), r.int(8000)]], decodes), // one more chunk
        shapeOf(prefill, decodes.map((c) => c + 1 + r.int(4000))), // longer decode contexts
      ];
      if (prefill.length > 0) {
        variants.push(shapeOf(prefill.map(([t, c]) => [t + 1 + r.int(1000), c]), decodes)); // longer chunks
        variants.push(shapeOf(prefill.map(([t, c]) => [t, c + 1 + r.int(8000)]), decodes)); // more context before
      }
      for (const v of variants) expect(cost.stepTimeUs(v)).toBeGreaterThanOrEqual(base);
    }
  });
});

describe('tensor parallelism', () => {
  test('splits a compute-bound prefill but adds all-reduce time', () => {
    const model = loadModel('llama-3.1-70b');
    const s = shapeOf([[4096, 0]], []);
    const tp4 = new RooflineCostModel(model, h100, { tensorParallel: 4 }).explain(s);
    const tp8 = new RooflineCostModel(model, h100, { tensorParallel: 8 }).explain(s);
    const linear = (b: typeof tp4) => b.components.find((c) => c.name === 'linear')!;
    expect(linear(tp8).computeUs).toBeCloseTo(linear(tp4).computeUs / 2, 6);
    const ar = tp4.components.find((c) => c.name === 'all-reduce')!;
    expect(ar.bound).toBe('network');
    // 161 all-reduces of 4096 × 8192 × 2 B, ring factor 2·3/4, at 0.7 × 450 GB/s, + 162 latencies.
    const wire = 1.5 * 4096 * 8192 * 2 * 161 + 0.75 * 128_256 * 2;
    expect(ar.networkUs).toBeCloseTo((wire / (450e9 * 0.7)) * 1e6, 3);
    expect(ar.overheadUs).toBe(162 * DEFAULT_ROOFLINE.allReduceLatencyUs);
    expect(tp8.totalUs).toBeLessThan(tp4.totalUs);
  });

  test('FP8 weights run at the FP8 peak where the GPU has one', () => {
    const fp8 = { ...llama8b, bytesPerParam: 1 };
    const s = shapeOf([[8192, 0]], []);
    const bf16 = new RooflineCostModel(llama8b, h100).explain(s).components[0]!;
    const f8 = new RooflineCostModel(fp8, h100).explain(s).components[0]!;
    expect(f8.computeUs).toBeCloseTo((bf16.computeUs * 989) / 1979, 6);
    const a100 = new RooflineCostModel(fp8, loadGpu('a100-80gb')).explain(s).components[0]!;
    expect(a100.computeUs).toBeCloseTo((bf16.computeUs * 989) / 312, 6);
  });
});

describe('smooth roofline', () => {
  test('goldens: the p-norm of compute and memory', () => {
    // At the ridge: 2^(1/2.5) × 100 = 131.95; 4:1 apart: 100 × (1 + 0.25^2.5)^(0.4) = 101.24.
    expect(smoothRoofline(100, 100, 2.5)).toBeCloseTo(131.95, 2);
    expect(smoothRoofline(25, 100, 2.5)).toBeCloseTo(101.24, 2);
    expect(smoothRoofline(100, 25, 2.5)).toBeCloseTo(101.24, 2);
    expect(smoothRoofline(0, 7, 2.5)).toBe(7);
    expect(smoothRoofline(0, 0, 2.5)).toBe(0);
    // p = 1 is no overlap at all; a large p is the bare max (no overflow).
    expect(smoothRoofline(30, 70, 1)).toBeCloseTo(100, 9);
    expect(smoothRoofline(99, 100, 1e6)).toBeCloseTo(100, 3);
  });

  test('explain shows the ridge and the K/V read; they add up to the component time', () => {
    const cost = new RooflineCostModel(llama8b, loadGpu('a100-80gb'));
    const b = cost.explain(shapeOf([[128, 0]], Array.from({ length: 32 }, () => 1024)));
    const linear = b.components.find((c) => c.name === 'linear')!;
    expect(linear.ridgeUs).toBeGreaterThan(0.1 * Math.max(linear.computeUs, linear.memoryUs)); // 160 tokens: near the A100 ridge
    expect(linear.timeUs).toBeCloseTo(linear.overheadUs + Math.max(linear.computeUs, linear.memoryUs) + linear.ridgeUs, 6);
    const attn = b.components.find((c) => c.name === 'attention')!;
    // 32 decodes read 1025 tokens each (+128 for the prefill chunk): 131,072 B per token at 0.77 × 2,039 GB/s.
    expect(attn.kvReadUs).toBeCloseTo(((32 * 1025 + 128) * 131_072 / (0.77 * 2039e9)) * 1e6, 6);
    expect(attn.memoryUs).toBeGreaterThan(attn.kvReadUs);
    expect(b.stepOverheadUs).toBe(DEFAULT_ROOFLINE.stepOverheadUs);
    expect(b.perSeqOverheadUs).toBe(0);
  });

  test('a lower attention bandwidth slows decode attention and nothing else', () => {
    const s = shapeOf([], Array.from({ length: 64 }, () => 2000));
    const base = new RooflineCostModel(llama8b, h100).explain(s);
    const slow = new RooflineCostModel(llama8b, h100, { coefficients: { ...DEFAULT_ROOFLINE, attentionMemoryEfficiency: 0.385 } }).explain(s);
    const a = (b: typeof base) => b.components.find((c) => c.name === 'attention')!;
    expect(a(slow).kvReadUs).toBeCloseTo(2 * a(base).kvReadUs, 6);
    expect(slow.components.find((c) => c.name === 'linear')!.timeUs).toBe(base.components.find((c) => c.name === 'linear')!.timeUs);
  });

  test('small kernels carry their own fixed cost', () => {
    const s = shapeOf([], [100]);
    const base = new RooflineCostModel(llama8b, h100).explain(s);
    const norm = base.components.find((c) => c.name === 'norm')!;
    expect(norm.overheadUs).toBe(65 * DEFAULT_ROOFLINE.elementwiseKernelUs); // 2 per layer + the final norm
    expect(base.components.find((c) => c.name === 'attention')!.overheadUs).toBe(64 * DEFAULT_ROOFLINE.kernelOverheadUs);
  });

  test('a GPU without interconnectGBps runs TP1 and refuses TP > 1', () => {
    const { interconnectGBps: _, ...noLink } = h100;
    expect(new RooflineCostModel(llama8b, noLink).stepTimeUs(shapeOf([], [10]))).toBe(new RooflineCostModel(llama8b, h100).stepTimeUs(shapeOf([], [10])));
    expect(() => new RooflineCostModel(loadModel('llama-3.1-70b'), noLink, { tensorParallel: 4 })).toThrow(/needs interconnectGBps/);
  });
});

describe('front end (API server) per request', () => {
  test('frontendUs + frontendPerPromptTokenUs × prompt tokens, independent of the GPU and of step shapes', () => {
    const a = new RooflineCostModel(loadModel('llama-3.1-8b'), loadGpu('h100-sxm'));
    const b = new RooflineCostModel(loadModel('qwen2.5-0.5b'), loadGpu('l4'));
    // Defaults: 4000 µs + 0.25 µs × tokens: 1 token 4000.25, 8192 tokens 4000 + 2048 = 6048.
    expect(a.frontendUs(1)).toBe(4000.25);
    expect(a.frontendUs(8192)).toBe(6048);
    expect(b.frontendUs(8192)).toBe(6048);
    const off = new RooflineCostModel(loadModel('llama-3.1-8b'), loadGpu('h100-sxm'), {
      coefficients: { ...DEFAULT_ROOFLINE, frontendUs: 0, frontendPerPromptTokenUs: 0 },
    });
    expect(off.frontendUs(8192)).toBe(0);
    const shape = emptyShape();
    addToShape(shape, 0, 512, false, true);
    expect(off.stepTimeUs(shape)).toBe(a.stepTimeUs(shape));
  });
});

describe('a step after an idle spell', () => {
  test('is GPU + CPU: async scheduling has no previous step to hide the CPU work behind', () => {
    const model = loadModel('llama-3.1-8b');
    const gpu = loadGpu('h100-sxm');
    const shape = emptyShape();
    addToShape(shape, 0, 512, false, true);
    const async = new RooflineCostModel(model, gpu);
    const b = async.explain(shape);
    // Default cpuOverlap 1: the 300 µs of CPU work are hidden behind ms of GPU work in a busy step.
    expect(b.hiddenUs).toBe(300);
    expect(async.stepTimeAfterIdleUs(shape)).toBeCloseTo(b.gpuUs + b.cpuUs, 6);
    expect(async.stepTimeAfterIdleUs(shape) - async.stepTimeUs(shape)).toBeCloseTo(300, 6);
    // A synchronous engine hides nothing either way.
    const sync = new RooflineCostModel(model, gpu, { coefficients: { ...DEFAULT_ROOFLINE, cpuOverlap: 0 } });
    expect(sync.stepTimeAfterIdleUs(shape)).toBe(sync.stepTimeUs(shape));
  });
});

describe('the memoised linear-layer and lm_head prices', () => {
  test('a model that has priced many steps prices each exactly as a fresh one does', () => {
    const model = loadModel('llama-3.1-8b');
    const gpu = loadGpu('h100-sxm');
    const warm = new RooflineCostModel(model, gpu);
    const rng = new SeededRng('memo');
    for (let n = 0; n < 300; n++) {
      // Decode batches and mixed steps; token counts repeat so the memo is hit.
      const s = emptyShape();
      const decodes = 1 + rng.int(64);
      for (let k = 0; k < decodes; k++) addToShape(s, 500 + rng.int(3000), 1, true, true);
      if (rng.float() < 0.3) addToShape(s, 0, 1 + rng.int(2048), false, rng.float() < 0.5);
      const fresh = new RooflineCostModel(model, gpu).stepTimeUs(s);
      expect(warm.stepTimeUs(s)).toBe(fresh);
    }
  });
});
