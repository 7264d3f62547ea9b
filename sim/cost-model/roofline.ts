import { DEFAULT_ROOFLINE, type RooflineCoefficients } from './coefficients.js';
import { peakFlopsPerSec, type GpuSpec } from './gpu-spec.js';
import type { ModelSpec } from './model-spec.js';
import { C, COMPONENTS, COMPUTE_CLASS, NUM_COMPONENTS, StepWorkModel, emptyWork, type StepWork } from './step-work.js';
import type { Bound, ComponentTime, CostModel, StepBreakdown, StepShape } from './types.js';

/** Options of {@link RooflineCostModel}. */
export interface RooflineOptions {
  readonly coefficients?: RooflineCoefficients | undefined;
  /** Tensor-parallel degree: each rank does 1/tp of the GEMM and attention work, plus all-reduces. */
  readonly tensorParallel?: number | undefined;
}

/**
 * Per-component roofline step model. For each component (linear layers, attention, KV writes,
 * norms, element-wise ops, lm_head): time = kernels × kernelOverheadUs + max(FLOPs / (peak ×
 * efficiency), bytes / (bandwidth × memoryEfficiency)); with tensor parallelism, ring all-reduces
 * cost 2(tp−1)/tp × message bytes / (link × interconnectEfficiency) + latency each; plus a
 * per-step and per-sequence CPU overhead. The step takes the sum (kernels run one after another).
 */
export class RooflineCostModel implements CostModel {
  readonly name = 'roofline';
  readonly coefficients: RooflineCoefficients;
  readonly work: StepWorkModel;
  readonly #w: StepWork = emptyWork();
  readonly #computeUsPerFlop: Float64Array = new Float64Array(NUM_COMPONENTS);
  readonly #memoryUsPerByte: number;
  readonly #networkUsPerByte: number;
  // Scratch for the last evaluation, read by explain().
  readonly #computeUs = new Float64Array(NUM_COMPONENTS);
  readonly #memoryUs = new Float64Array(NUM_COMPONENTS);
  readonly #overheadUs = new Float64Array(NUM_COMPONENTS);
  #networkUs = 0;

  constructor(model: ModelSpec, gpu: GpuSpec, opts: RooflineOptions = {}) {
    const k = opts.coefficients ?? DEFAULT_ROOFLINE;
    this.coefficients = k;
    this.work = new StepWorkModel(model, opts.tensorParallel ?? 1);
    const peak = peakFlopsPerSec(gpu, model.bytesPerParam);
    for (let i = 0; i < NUM_COMPONENTS; i++) {
      const cls = COMPUTE_CLASS[i];
      const eff = cls === 'gemm' ? k.computeEfficiency : cls === 'attention' ? k.attentionEfficiency : 0;
      this.#computeUsPerFlop[i] = eff > 0 ? 1e6 / (peak * eff) : 0;
    }
    this.#memoryUsPerByte = 1e6 / (gpu.memoryBandwidthGBps * 1e9 * k.memoryEfficiency);
    this.#networkUsPerByte = 1e6 / (gpu.interconnectGBps * 1e9 * k.interconnectEfficiency);
  }

  stepTimeUs(s: Readonly<StepShape>): number {
    return this.#evaluate(s);
  }

  explain(s: Readonly<StepShape>): StepBreakdown {
    const totalUs = this.#evaluate(s);
    const w = this.#w;
    const components: ComponentTime[] = COMPONENTS.map((name, i) => {
      const computeUs = this.#computeUs[i]!;
      const memoryUs = this.#memoryUs[i]!;
      const overheadUs = this.#overheadUs[i]!;
      const networkUs = i === C.allReduce ? this.#networkUs : 0;
      const timeUs = overheadUs + Math.max(computeUs, memoryUs) + networkUs;
      let bound: Bound = 'idle';
      if (networkUs > 0) bound = 'network';
      else if (computeUs > 0 || memoryUs > 0) bound = computeUs >= memoryUs ? 'compute' : 'memory';
      else if (overheadUs > 0) bound = 'fixed';
      return { name, flops: w.flops[i]!, bytes: w.bytes[i]!, kernels: w.kernels[i]!, computeUs, memoryUs, networkUs, overheadUs, timeUs, bound };
    });
    return { totalUs, tokens: w.tokens, seqs: w.seqs, components };
  }

  // The hot path: per step, no allocation.
  #evaluate(s: Readonly<StepShape>): number {
    const w = this.#w;
    this.work.fill(s, w);
    if (w.tokens === 0) {
      this.#computeUs.fill(0);
      this.#memoryUs.fill(0);
      this.#overheadUs.fill(0);
      this.#networkUs = 0;
      return 0;
    }
    const k = this.coefficients;
    let total = 0;
    for (let i = 0; i < C.allReduce; i++) {
      const c = w.flops[i]! * this.#computeUsPerFlop[i]!;
      const m = w.bytes[i]! * this.#memoryUsPerByte;
      const o = w.kernels[i]! * k.kernelOverheadUs;
      this.#computeUs[i] = c;
      this.#memoryUs[i] = m;
      this.#overheadUs[i] = o;
      total += o + (c > m ? c : m);
    }
    this.#networkUs = w.allReduceWireBytes * this.#networkUsPerByte;
    const arOverhead = w.allReduces * k.allReduceLatencyUs;
    this.#overheadUs[C.allReduce] = arOverhead;
    const stepOverhead = k.stepOverheadUs + k.perSeqOverheadUs * w.seqs;
    this.#overheadUs[C.overhead] = stepOverhead;
    return total + this.#networkUs + arOverhead + stepOverhead;
  }
}
