import { DEFAULT_ROOFLINE, type RooflineCoefficients } from './coefficients.js';
import { interconnectProblem, peakFlopsPerSec, type GpuSpec } from './gpu-spec.js';
import type { ModelSpec } from './model-spec.js';
import { C, COMPONENTS, COMPUTE_CLASS, KERNEL_CLASS, NUM_COMPONENTS, StepWorkModel, emptyWork, type StepWork } from './step-work.js';
import type { Bound, ComponentTime, CostModel, StepBreakdown, StepShape } from './types.js';

/** Token (or row) counts below this have their linear-layer and lm_head times memoised (128 KiB each). */
const MEMO_SIZE = 16_384;

/** Options of {@link RooflineCostModel}. */
export interface RooflineOptions {
  readonly coefficients?: RooflineCoefficients | undefined;
  /** Tensor-parallel degree: each rank does 1/tp of the GEMM and attention work, plus all-reduces. */
  readonly tensorParallel?: number | undefined;
}

/**
 * The smooth roofline: (c^p + m^p)^(1/p), computed as hi · (1 + (lo/hi)^p)^(1/p) so a large p
 * cannot overflow. p → ∞ is max(c, m); at the ridge (c = m) it is 2^(1/p) · max (p = 4: +19%).
 * Monotone in both arguments, so more work never costs less.
 */
export function smoothRoofline(c: number, m: number, p: number): number {
  const hi = c > m ? c : m;
  if (hi <= 0) return 0;
  const lo = c > m ? m : c;
  if (lo <= 0) return hi;
  return hi * Math.pow(1 + Math.pow(lo / hi, p), 1 / p);
}

/**
 * Per-component roofline step model. For each component (linear layers, attention, KV writes,
 * norms, element-wise ops, lm_head): time = kernels × fixed cost per kernel (GEMM-class or small)
 * + smoothRoofline(FLOPs / (peak × efficiency), bytes / (bandwidth × efficiency)), where the
 * paged K/V read of attention runs at its own, lower bandwidth efficiency; with tensor
 * parallelism, ring all-reduces cost 2(tp−1)/tp × message bytes / (link × interconnectEfficiency)
 * + latency each. The GPU time is the sum (kernels run one after another). The CPU time is a
 * per-step plus a per-sequence overhead; the step takes GPU + CPU − cpuOverlap × min(GPU, CPU)
 * (async scheduling overlaps them). Sources of every default: docs/cost-model.md.
 */
export class RooflineCostModel implements CostModel {
  readonly name = 'roofline';
  readonly coefficients: RooflineCoefficients;
  readonly work: StepWorkModel;
  readonly #w: StepWork = emptyWork();
  readonly #computeUsPerFlop: Float64Array = new Float64Array(NUM_COMPONENTS);
  readonly #kernelUs: Float64Array = new Float64Array(NUM_COMPONENTS);
  readonly #memoryUsPerByte: number;
  readonly #kvReadUsPerByte: number;
  readonly #networkUsPerByte: number;
  // Scratch for the last evaluation, read by explain().
  readonly #computeUs = new Float64Array(NUM_COMPONENTS);
  readonly #memoryUs = new Float64Array(NUM_COMPONENTS);
  readonly #overheadUs = new Float64Array(NUM_COMPONENTS);
  readonly #ridgeUs = new Float64Array(NUM_COMPONENTS);
  readonly #linearMemo = new Float64Array(MEMO_SIZE).fill(NaN);
  readonly #lmHeadMemo = new Float64Array(MEMO_SIZE).fill(NaN);
  #kvReadUs = 0;
  #networkUs = 0;
  #cpuUs = 0;
  #hiddenUs = 0;

  constructor(model: ModelSpec, gpu: GpuSpec, opts: RooflineOptions = {}) {
    const k = opts.coefficients ?? DEFAULT_ROOFLINE;
    this.coefficients = k;
    this.work = new StepWorkModel(model, opts.tensorParallel ?? 1);
    const peak = peakFlopsPerSec(gpu, model.bytesPerParam);
    for (let i = 0; i < NUM_COMPONENTS; i++) {
      const cls = COMPUTE_CLASS[i];
      const eff = cls === 'gemm' ? k.computeEfficiency : cls === 'attention' ? k.attentionEfficiency : 0;
      this.#computeUsPerFlop[i] = eff > 0 ? 1e6 / (peak * eff) : 0;
      const kc = KERNEL_CLASS[i];
      this.#kernelUs[i] = kc === 'gemm' ? k.kernelOverheadUs : kc === 'small' ? k.elementwiseKernelUs : 0;
    }
    const bw = gpu.memoryBandwidthGBps * 1e9;
    this.#memoryUsPerByte = 1e6 / (bw * k.memoryEfficiency);
    this.#kvReadUsPerByte = 1e6 / (bw * k.attentionMemoryEfficiency);
    // Without a link (TP1 specs may omit it) there is nothing to send; fill() sends 0 bytes at TP1.
    this.#networkUsPerByte = gpu.interconnectGBps === undefined ? 0 : 1e6 / (gpu.interconnectGBps * 1e9 * k.interconnectEfficiency);
    const linkProblem = interconnectProblem(gpu, opts.tensorParallel ?? 1);
    if (linkProblem) throw new Error(linkProblem);
  }

  stepTimeUs(s: Readonly<StepShape>): number {
    return this.#evaluate(s);
  }

  stepTimeAfterIdleUs(s: Readonly<StepShape>): number {
    // Async scheduling overlaps a step's CPU work with the previous step's GPU work; after an
    // idle engine there is none, so the step is GPU + CPU.
    const t = this.#evaluate(s);
    return t + this.#hiddenUs;
  }

  frontendUs(promptTokens: number): number {
    const k = this.coefficients;
    return k.frontendUs + k.frontendPerPromptTokenUs * promptTokens;
  }

  explain(s: Readonly<StepShape>): StepBreakdown {
    const totalUs = this.#evaluate(s);
    const w = this.#w;
    const components: ComponentTime[] = COMPONENTS.map((name, i) => {
      const computeUs = this.#computeUs[i]!;
      const memoryUs = this.#memoryUs[i]!;
      const overheadUs = this.#overheadUs[i]!;
      const ridgeUs = this.#ridgeUs[i]!;
      const networkUs = i === C.allReduce ? this.#networkUs : 0;
      const timeUs = overheadUs + Math.max(computeUs, memoryUs) + ridgeUs + networkUs;
      let bound: Bound = 'idle';
      if (networkUs > 0) bound = 'network';
      else if (computeUs > 0 || memoryUs > 0) bound = computeUs >= memoryUs ? 'compute' : 'memory';
      else if (overheadUs > 0) bound = 'fixed';
      return {
        name, flops: w.flops[i]!, bytes: w.bytes[i]!, kernels: w.kernels[i]!, computeUs, memoryUs,
        kvReadUs: i === C.attention ? this.#kvReadUs : 0, ridgeUs, networkUs, overheadUs, timeUs, bound,
      };
    });
    const k = this.coefficients;
    const stepOverheadUs = w.tokens === 0 ? 0 : k.stepOverheadUs;
    return {
      totalUs, tokens: w.tokens, seqs: w.seqs, components, stepOverheadUs, perSeqOverheadUs: k.perSeqOverheadUs * w.seqs,
      gpuUs: totalUs - this.#cpuUs + this.#hiddenUs, cpuUs: this.#cpuUs, hiddenUs: this.#hiddenUs,
    };
  }

  // smoothRoofline, memoised for the linear layers (their work depends on the step's tokens
  // alone) and lm_head (on its rows alone): Math.pow is most of a step's price, and steps repeat
  // token counts (every decode-only step of a batch of k prices k tokens). The same arithmetic
  // on the same inputs: results are bit-identical.
  #roofline(i: number, c: number, m: number, p: number, w: StepWork): number {
    const key = i === C.linear ? w.tokens : i === C.lmHead ? w.seqs : -1;
    if (key < 0 || key >= MEMO_SIZE) return smoothRoofline(c, m, p);
    const memo = i === C.linear ? this.#linearMemo : this.#lmHeadMemo;
    let t = memo[key]!;
    if (Number.isNaN(t)) memo[key] = t = smoothRoofline(c, m, p);
    return t;
  }

  // The hot path: per step, no allocation.
  #evaluate(s: Readonly<StepShape>): number {
    const w = this.#w;
    this.work.fill(s, w);
    if (w.tokens === 0) {
      this.#computeUs.fill(0);
      this.#memoryUs.fill(0);
      this.#overheadUs.fill(0);
      this.#ridgeUs.fill(0);
      this.#kvReadUs = 0;
      this.#networkUs = 0;
      this.#cpuUs = 0;
      this.#hiddenUs = 0;
      return 0;
    }
    const k = this.coefficients;
    const p = k.rooflineSharpness;
    let total = 0;
    for (let i = 0; i < C.allReduce; i++) {
      const c = w.flops[i]! * this.#computeUsPerFlop[i]!;
      let m: number;
      if (i === C.attention) {
        this.#kvReadUs = w.kvReadBytes * this.#kvReadUsPerByte;
        m = this.#kvReadUs + (w.bytes[i]! - w.kvReadBytes) * this.#memoryUsPerByte;
      } else {
        m = w.bytes[i]! * this.#memoryUsPerByte;
      }
      const o = w.kernels[i]! * this.#kernelUs[i]!;
      const t = this.#roofline(i, c, m, p, w);
      this.#computeUs[i] = c;
      this.#memoryUs[i] = m;
      this.#overheadUs[i] = o;
      this.#ridgeUs[i] = t - (c > m ? c : m);
      total += o + t;
    }
    this.#networkUs = w.allReduceWireBytes * this.#networkUsPerByte;
    const arOverhead = w.allReduces * k.allReduceLatencyUs;
    this.#overheadUs[C.allReduce] = arOverhead;
    const gpuUs = total + this.#networkUs + arOverhead;
    const cpuUs = k.stepOverheadUs + k.perSeqOverheadUs * w.seqs;
    // Async scheduling runs the CPU work of one step during the GPU work of another: the overlap
    // hides cpuOverlap × the shorter of the two (coefficients.ts).
    const hiddenUs = k.cpuOverlap * (gpuUs < cpuUs ? gpuUs : cpuUs);
    this.#cpuUs = cpuUs;
    this.#hiddenUs = hiddenUs;
    this.#overheadUs[C.overhead] = cpuUs - hiddenUs;
    return gpuUs + cpuUs - hiddenUs;
  }
}
