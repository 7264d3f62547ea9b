import { COEFFICIENT_NAMES, type RooflineCoefficients } from '../coefficients.js';
import { peakFlopsPerSec, type GpuSpec } from '../gpu-spec.js';
import type { ModelSpec } from '../model-spec.js';
import { RooflineCostModel, smoothRoofline } from '../roofline.js';
import { C, COMPUTE_CLASS, KERNEL_CLASS, StepWorkModel, emptyWork } from '../step-work.js';
import { nnls } from './nnls.js';
import type { Metric, Observation } from './observations.js';

/**
 * The model is linear in these for fixed roofline weights: a component's smooth roofline
 * t = (c^p + m^p)^(1/p) is homogeneous of degree 1, so t = c·∂t/∂c + m·∂t/∂m (Euler), and with
 * the partials taken at the current coefficients, time = Σ kernels·fixed cost +
 * Σ FLOPs/peak · wc · (1/efficiency) + Σ bytes/bandwidth · wm · (1/memory efficiency) +
 * all-reduces·latency + wire bytes/link · (1/interconnectEfficiency) on the GPU, and
 * stepOverheadUs + seqs·perSeqOverheadUs on the CPU; the step is GPU + CPU − cpuOverlap ×
 * min(GPU, CPU), linear once it is known which of the two is shorter (assigned per iteration like
 * the bounds). With cpuOverlap 1 and GPU steps longer than the CPU work, the CPU overheads are
 * hidden and the data cannot pin them: they keep the prior. The roofline sharpness and cpuOverlap
 * are not fitted (held at the prior). Requests timed at the client add the API-server front end,
 * frontendUs + frontendPerPromptTokenUs × prompt tokens, once (not per step): two more linear
 * columns, fitted when the observations include requests (with more than one prompt length for
 * the per-token term).
 * One memory scale moves both bandwidth efficiencies, keeping the prior's attention-to-streaming
 * ratio: for one model the weight bytes are the same every step, so only the paged K/V read
 * (which varies with context) tells the bandwidth apart from the per-step overhead.
 */
const PARAMS = [
  'computeScale', 'attentionScale', 'memoryScale', 'kernelOverheadUs', 'elementwiseKernelUs',
  'stepOverheadUs', 'perSeqOverheadUs', 'allReduceLatencyUs', 'interconnectScale',
  'frontendUs', 'frontendPerPromptTokenUs',
] as const;
type Param = (typeof PARAMS)[number];
const P = Object.fromEntries(PARAMS.map((p, i) => [p, i])) as Record<Param, number>;

/**
 * Folded into the per-step overhead: with one model every step has the same kernel count and
 * the same all-reduce count, so their fixed costs cannot be told from the per-step overhead.
 * The fitted per-step constant is split back: the prior kernel and all-reduce shares first,
 * any remainder to stepOverheadUs (or, if it is smaller, those shares scaled down).
 */
const FOLDED: readonly Param[] = ['kernelOverheadUs', 'elementwiseKernelUs', 'allReduceLatencyUs'];

/** The outcome of a fit. */
export interface FitResult {
  readonly coefficients: RooflineCoefficients;
  /** Coefficient names fitted to the data; the others kept their prior value. */
  readonly fitted: readonly (keyof RooflineCoefficients)[];
  readonly held: readonly (keyof RooflineCoefficients)[];
  /** Mean absolute percentage error per metric with the prior and with the fitted coefficients (0.05 = 5%). */
  readonly mape: Partial<Record<Metric, { readonly prior: number; readonly fitted: number; readonly n: number }>>;
  readonly iterations: number;
  /** Things the user should know (e.g. an efficiency above 1). */
  readonly warnings: readonly string[];
}

const COEFF_OF: Record<Param, keyof RooflineCoefficients> = {
  computeScale: 'computeEfficiency', attentionScale: 'attentionEfficiency', memoryScale: 'memoryEfficiency',
  kernelOverheadUs: 'kernelOverheadUs', elementwiseKernelUs: 'elementwiseKernelUs',
  stepOverheadUs: 'stepOverheadUs', perSeqOverheadUs: 'perSeqOverheadUs', allReduceLatencyUs: 'allReduceLatencyUs',
  interconnectScale: 'interconnectEfficiency', frontendUs: 'frontendUs', frontendPerPromptTokenUs: 'frontendPerPromptTokenUs',
};
const IS_SCALE: Record<Param, boolean> = {
  computeScale: true, attentionScale: true, memoryScale: true, kernelOverheadUs: false,
  elementwiseKernelUs: false, stepOverheadUs: false, perSeqOverheadUs: false, allReduceLatencyUs: false, interconnectScale: true,
  frontendUs: false, frontendPerPromptTokenUs: false,
};

function toTheta(k: RooflineCoefficients): number[] {
  return PARAMS.map((p) => (IS_SCALE[p] ? 1 / k[COEFF_OF[p]] : k[COEFF_OF[p]]));
}
/**
 * Coefficients from a parameter vector; the roofline sharpness from `prior`, the attention
 * memory efficiency at the prior's ratio to the memory efficiency.
 */
function fromTheta(theta: readonly number[], prior: RooflineCoefficients): RooflineCoefficients {
  const out: Record<string, number> = { ...prior };
  PARAMS.forEach((p, i) => {
    out[COEFF_OF[p]] = IS_SCALE[p] ? 1 / theta[i]! : theta[i]!;
  });
  out['attentionMemoryEfficiency'] = out['memoryEfficiency']! * (prior.attentionMemoryEfficiency / prior.memoryEfficiency);
  return out as unknown as RooflineCoefficients;
}

/** Per step part: raw (efficiency 1) compute and memory µs per component, plus the linear terms. */
interface PartTerms {
  readonly count: number;
  readonly computeUs: Float64Array;
  readonly memoryUs: Float64Array;
  /** Of the attention memory time, the paged K/V read (at efficiency 1). */
  readonly kvReadUs: number;
  readonly gemmKernels: number;
  readonly smallKernels: number;
  readonly seqs: number;
  readonly allReduces: number;
  readonly wireUs: number;
}

/**
 * Fit the roofline's coefficients to observations by non-negative least squares on relative
 * error. The bound of every component depends on the coefficients, so it alternates: assign
 * bounds with the current coefficients, solve the (then linear) NNLS problem, repeat until the
 * assignment stops changing; the best iterate by relative squared error is returned.
 */
export function fitCoefficients(
  model: ModelSpec, gpu: GpuSpec, tensorParallel: number, observations: readonly Observation[], prior: RooflineCoefficients,
): FitResult {
  if (observations.length === 0) throw new Error('no observations to fit');
  const work = new StepWorkModel(model, tensorParallel);
  const w = emptyWork();
  const peak = peakFlopsPerSec(gpu, model.bytesPerParam);
  const bw = gpu.memoryBandwidthGBps * 1e9;
  // No link in the spec: TP1 only (the cost model refuses TP > 1), where nothing crosses one.
  const link = (gpu.interconnectGBps ?? Infinity) * 1e9;
  const terms: PartTerms[][] = observations.map((o) => o.parts.map((p) => {
    work.fill(p.shape, w);
    let gemmKernels = 0;
    let smallKernels = 0;
    for (let i = 0; i < C.allReduce; i++) {
      if (KERNEL_CLASS[i] === 'gemm') gemmKernels += w.kernels[i]!;
      else if (KERNEL_CLASS[i] === 'small') smallKernels += w.kernels[i]!;
    }
    const memoryUs = w.bytes.map((b) => (b / bw) * 1e6);
    const kvReadUs = (w.kvReadBytes / bw) * 1e6;
    memoryUs[C.attention] = memoryUs[C.attention]! - kvReadUs; // the rest of attention's bytes stream
    return {
      count: p.count,
      computeUs: w.flops.map((f) => (f / peak) * 1e6),
      memoryUs, kvReadUs, gemmKernels, smallKernels,
      seqs: w.seqs, allReduces: w.allReduces, wireUs: (w.allReduceWireBytes / link) * 1e6,
    };
  }));
  const y = observations.map((o) => o.observedUs);
  const sharpness = prior.rooflineSharpness;
  // K/V read µs at efficiency 1, in units of the memory scale: × memory / attention-memory efficiency.
  const kvPerMemory = prior.memoryEfficiency / prior.attentionMemoryEfficiency;

  const overlap = prior.cpuOverlap;
  const rowsFor = (theta: readonly number[]): { rows: number[][]; signature: string } => {
    let signature = '';
    const rows = terms.map((parts, oi) => {
      const row = new Array<number>(PARAMS.length).fill(0);
      // Requests timed at the client went once through the front end (not part of any step).
      const feTokens = observations[oi]!.frontendPromptTokens;
      if (feTokens !== undefined) {
        row[P.frontendUs] = 1;
        row[P.frontendPerPromptTokenUs] = feTokens;
      }
      for (const t of parts) {
        // One step's GPU columns and CPU columns apart, so the CPU/GPU overlap can weight them.
        const gpuRow = new Array<number>(PARAMS.length).fill(0);
        for (let i = 0; i < C.allReduce; i++) {
          const cls = COMPUTE_CLASS[i];
          const computeCol = cls === 'gemm' ? P.computeScale : P.attentionScale;
          const c = cls === null ? 0 : t.computeUs[i]!;
          const m = t.memoryUs[i]!;
          const kv = i === C.attention ? t.kvReadUs : 0;
          const cs = cls === null ? 0 : c * theta[computeCol]!;
          const ms = (m + kv * kvPerMemory) * theta[P.memoryScale]!;
          const total = smoothRoofline(cs, ms, sharpness);
          // Partial derivatives of the smooth roofline at the current coefficients.
          const wc = total > 0 ? Math.pow(cs / total, sharpness - 1) : 0;
          const wm = total > 0 ? Math.pow(ms / total, sharpness - 1) : 0;
          if (cls !== null) gpuRow[computeCol]! += c * wc;
          gpuRow[P.memoryScale]! += (m + kv * kvPerMemory) * wm;
          signature += `${wc.toFixed(4)},${wm.toFixed(4)};`;
        }
        gpuRow[P.kernelOverheadUs]! += t.gemmKernels;
        gpuRow[P.elementwiseKernelUs]! += t.smallKernels;
        gpuRow[P.allReduceLatencyUs]! += t.allReduces;
        gpuRow[P.interconnectScale]! += t.wireUs;
        // The step takes GPU + CPU − overlap × min(GPU, CPU) (roofline.ts): linear again once we
        // know which is shorter at the current coefficients (part of the alternation's assignment).
        const gpuUs = gpuRow.reduce((a, v, i) => a + v * theta[i]!, 0);
        const cpuUs = theta[P.stepOverheadUs]! + t.seqs * theta[P.perSeqOverheadUs]!;
        const gpuShorter = gpuUs < cpuUs;
        const gpuWeight = gpuShorter ? 1 - overlap : 1;
        const cpuWeight = gpuShorter ? 1 : 1 - overlap;
        signature += gpuShorter ? 'g' : 'c';
        for (let i = 0; i < PARAMS.length; i++) row[i]! += t.count * gpuWeight * gpuRow[i]!;
        row[P.stepOverheadUs]! += t.count * cpuWeight;
        row[P.perSeqOverheadUs]! += t.count * cpuWeight * t.seqs;
      }
      return row;
    });
    return { rows, signature };
  };

  const predict = (k: RooflineCoefficients): number[] => {
    const cost = new RooflineCostModel(model, gpu, { coefficients: k, tensorParallel });
    return observations.map((o) => o.parts.reduce((a, p) => a + p.count * cost.stepTimeUs(p.shape), 0) +
      (o.frontendPromptTokens === undefined ? 0 : cost.frontendUs(o.frontendPromptTokens)));
  };
  const relSse = (pred: readonly number[]): number => pred.reduce((a, p, i) => a + ((p - y[i]!) / y[i]!) ** 2, 0);

  const priorTheta = toTheta(prior);
  let theta = priorTheta.slice();
  let best = { theta: theta.slice(), err: relSse(predict(prior)) };
  let lastSignature = '';
  // Scales the data drove to zero (infinite efficiency) in some iteration.
  const unbounded = new Set<Param>();
  let iterations = 0;
  for (; iterations < 50; iterations++) {
    const { rows, signature } = rowsFor(theta);
    if (signature === lastSignature) break;
    lastSignature = signature;
    const held = new Set<Param>();
    for (const p of PARAMS) if (!rows.some((r) => r[P[p]]! > 0)) held.add(p);
    // Columns proportional to the step count are more per-step constants: kernels and all-reduce
    // latencies are folded into the step overhead; seqs (when every step runs the same number of
    // sequences) and wire bytes keep their prior value.
    const perStep = (p: Param): number | undefined => {
      const ratios = rows.map((r) => r[P[p]]! / r[P.stepOverheadUs]!);
      return ratios.every((v) => Math.abs(v - ratios[0]!) <= 1e-9 * Math.abs(ratios[0]!)) ? ratios[0]! : undefined;
    };
    const folded = new Map<Param, number>();
    for (const p of FOLDED) {
      if (held.has(p)) continue;
      const k = perStep(p);
      if (k !== undefined) folded.set(p, k);
      else held.add(p); // never happens with one model; keep the prior rather than guess
    }
    for (const p of ['perSeqOverheadUs', 'interconnectScale'] as const) if (perStep(p) !== undefined) held.add(p);
    // Requests of one prompt length cannot tell the per-token front end from the per-request one.
    const fe = rows.filter((r) => r[P.frontendUs]! > 0).map((r) => r[P.frontendPerPromptTokenUs]! / r[P.frontendUs]!);
    if (fe.every((v) => v === fe[0])) held.add('frontendPerPromptTokenUs');
    let free = PARAMS.filter((p) => !held.has(p) && !folded.has(p));
    let next = theta.slice();
    for (let attempt = 0; attempt < PARAMS.length; attempt++) {
      const A = rows.map((r, i) => free.map((p) => r[P[p]]! / y[i]!));
      const b = rows.map((r, i) => {
        let rest = 0;
        for (const p of PARAMS) if (!free.includes(p) && !folded.has(p)) rest += r[P[p]]! * theta[P[p]]!;
        return (y[i]! - rest) / y[i]!;
      });
      const x = nnls(A, b);
      next = theta.slice();
      free.forEach((p, j) => {
        next[P[p]] = x[j]!;
      });
      // A zero scale would mean infinite efficiency: the data cannot pin it, keep the prior.
      const zero = free.filter((p) => IS_SCALE[p] && next[P[p]]! <= 0);
      for (const p of zero) unbounded.add(p);
      if (zero.length === 0) break;
      for (const p of zero) next[P[p]] = theta[P[p]]!;
      free = free.filter((p) => !zero.includes(p));
    }
    if (free.includes('stepOverheadUs')) {
      // Split the fitted per-step constant back into its parts.
      const perStepTotal = next[P.stepOverheadUs]!;
      let priorShare = 0;
      for (const [p, k] of folded) priorShare += k * priorTheta[P[p]]!;
      const scale = priorShare > perStepTotal ? perStepTotal / priorShare : 1;
      for (const p of folded.keys()) next[P[p]] = priorTheta[P[p]]! * scale;
      next[P.stepOverheadUs] = perStepTotal - priorShare * scale;
    }
    theta = next;
    const err = relSse(predict(fromTheta(theta, prior)));
    if (err < best.err) best = { theta: theta.slice(), err };
  }

  const coefficients = fromTheta(best.theta, prior);
  // Fitted = moved by the data (a coefficient fitted in an early iteration and held later keeps
  // its fitted value).
  const fitted = COEFFICIENT_NAMES.filter((n) => Math.abs(coefficients[n] - prior[n]) > 1e-9 * Math.max(1, Math.abs(prior[n])));
  const priorPred = predict(prior);
  const fitPred = predict(coefficients);
  const mape: Partial<Record<Metric, { prior: number; fitted: number; n: number }>> = {};
  for (const metric of ['stepMs', 'ttftMs', 'e2eMs'] as const) {
    const idx = observations.map((o, i) => (o.metric === metric ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const ape = (pred: readonly number[]) => idx.reduce((a, i) => a + Math.abs(pred[i]! - y[i]!) / y[i]!, 0) / idx.length;
    mape[metric] = { prior: ape(priorPred), fitted: ape(fitPred), n: idx.length };
  }
  const warnings: string[] = [];
  if (observations.length < 5 * Math.max(1, fitted.length)) {
    warnings.push(`${observations.length} observations for ${fitted.length} fitted coefficients: the fit may be poorly determined; vary batch sizes, prompt lengths and contexts`);
  }
  for (const p of unbounded) {
    // Not fitted: kept at the prior, which then cannot reach the observations.
    if (fitted.includes(COEFF_OF[p])) continue;
    warnings.push(`${COEFF_OF[p]} fitted to ∞ > 1: the observations are faster than the datasheet allows (kept at the prior); check the GPU, the model and the tensor-parallel degree`);
  }
  for (const name of ['computeEfficiency', 'attentionEfficiency', 'memoryEfficiency', 'attentionMemoryEfficiency', 'interconnectEfficiency'] as const) {
    if (fitted.includes(name) && coefficients[name] > 1) {
      warnings.push(`${name} fitted to ${coefficients[name].toFixed(3)} > 1: the observations are faster than the datasheet allows; check the GPU, the model and the tensor-parallel degree`);
    }
  }
  return {
    coefficients, fitted, held: COEFFICIENT_NAMES.filter((n) => !fitted.includes(n)), mape, iterations, warnings,
  };
}
