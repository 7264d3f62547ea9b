import { kvHeadsPerRank, routerParamsPerLayer, tensorParallelProblem, type ModelSpec } from './model-spec.js';
import type { StepShape } from './types.js';

/** Components of a step, in breakdown order. */
export const COMPONENTS = ['linear', 'attention', 'kv-write', 'norm', 'elementwise', 'lm-head', 'all-reduce', 'overhead'] as const;
/** A component of a step. */
export type ComponentName = (typeof COMPONENTS)[number];

/** Indices into the per-component arrays of {@link StepWork}. */
export const C = {
  linear: 0, attention: 1, kvWrite: 2, norm: 3, elementwise: 4, lmHead: 5, allReduce: 6, overhead: 7,
} as const;
/** Number of components. */
export const NUM_COMPONENTS = COMPONENTS.length;

/** Which peak a component's FLOPs run at: tensor-core GEMMs, attention kernels, or none. */
export const COMPUTE_CLASS: readonly ('gemm' | 'attention' | null)[] = ['gemm', 'attention', null, null, null, 'gemm', null, null];

/**
 * Which fixed cost a component's kernels carry: GEMM-class (GEMMs, attention, lm_head and the
 * sampler) or small element-wise kernels (norms, rotary, SiLU-and-mul, KV-cache writes), which
 * measure a few µs each (see coefficients.ts, elementwiseKernelUs).
 */
export const KERNEL_CLASS: readonly ('gemm' | 'small' | null)[] = ['gemm', 'gemm', 'small', 'small', 'small', 'gemm', null, null];

/** What one tensor-parallel rank does in one step, per component. Reused in place (no allocation per step). */
export interface StepWork {
  /** FLOPs per component. */
  readonly flops: Float64Array;
  /** HBM bytes read + written per component. */
  readonly bytes: Float64Array;
  /** Kernel launches per component. */
  readonly kernels: Float64Array;
  /** Of the attention bytes, the K/V read from the paged KV cache (priced at the attention bandwidth). */
  kvReadBytes: number;
  /** Collectives (all-reduce, logits gather) this step. */
  allReduces: number;
  /** Bytes each rank sends over the interconnect (ring: 2(tp−1)/tp × message per all-reduce). */
  allReduceWireBytes: number;
  /** Sequences scheduled (prefill chunks + decodes). */
  seqs: number;
  /** Tokens computed (prefill chunk tokens + one per decode). */
  tokens: number;
}

/** A zeroed {@link StepWork}. */
export function emptyWork(): StepWork {
  return {
    flops: new Float64Array(NUM_COMPONENTS), bytes: new Float64Array(NUM_COMPONENTS), kernels: new Float64Array(NUM_COMPONENTS),
    kvReadBytes: 0, allReduces: 0, allReduceWireBytes: 0, seqs: 0, tokens: 0,
  };
}

/**
 * Turns a step shape into per-component FLOPs, bytes and kernel counts for one tensor-parallel
 * rank of a vLLM-style forward pass (Llama/Qwen2/Mixtral: per layer fused add+RMSNorm ×2,
 * qkv GEMM, rotary, attention, o GEMM, gate_up GEMM, SiLU-and-mul, down GEMM; then final norm,
 * lm_head and sampler). Counts are hand-checkable; see step-work.test.ts.
 */
export class StepWorkModel {
  readonly model: ModelSpec;
  readonly tensorParallel: number;
  readonly #layers: number;
  readonly #linearFlopsPerToken: number;
  readonly #denseWeightBytes: number;
  /** One expert's weights over all layers. */
  readonly #expertWeightBytes: number;
  readonly #numExperts: number;
  readonly #expertsPerToken: number;
  readonly #linearActBytesPerToken: number;
  readonly #linearKernels: number;
  readonly #attnFlopsPerPair: number;
  readonly #kvBytesPerToken: number;
  readonly #qoBytesPerToken: number;
  readonly #normBytesPerToken: number;
  readonly #elementwiseBytesPerToken: number;
  readonly #lmHeadFlopsPerRow: number;
  readonly #lmHeadWeightBytes: number;
  readonly #lmHeadBytesPerRow: number;
  readonly #allReduceMsgBytesPerToken: number;
  readonly #gatherWireBytesPerRow: number;
  readonly #ringFactor: number;

  constructor(model: ModelSpec, tensorParallel = 1) {
    const problem = tensorParallelProblem(model, tensorParallel);
    if (problem) throw new Error(`${model.name}: ${problem}`);
    this.model = model;
    this.tensorParallel = tensorParallel;
    const t = tensorParallel;
    const L = model.numLayers;
    const h = model.hiddenSize;
    const d = model.headDim;
    const b = model.bytesPerParam;
    const hq = model.numHeads / t;
    const hkv = kvHeadsPerRank(model, t);
    const iT = model.intermediateSize / t;
    const vT = Math.ceil(model.vocabSize / t);
    const k = model.expertsPerToken;
    const qkvOut = (hq + 2 * hkv) * d;
    const attnOut = hq * d;
    const routerW = routerParamsPerLayer(model);
    // This rank's q/k/v/o weights (and q/k/v biases): heads split over ranks, KV heads replicated
    // when there are fewer than ranks.
    const attnW = h * qkvOut + attnOut * h + (model.attentionBias ? qkvOut : 0);
    const expertW = 3 * h * iT;
    this.#layers = L;
    this.#numExperts = model.numExperts;
    this.#expertsPerToken = k;
    // Linear layers: 2 FLOPs per multiply-add through the active weights.
    this.#linearFlopsPerToken = 2 * L * (h * qkvOut + attnOut * h + routerW + k * expertW);
    // Weights are read once per step; with experts, only the experts some token routes to.
    this.#denseWeightBytes = L * (attnW + routerW + (model.numExperts > 1 ? 0 : expertW)) * b;
    this.#expertWeightBytes = model.numExperts > 1 ? L * expertW * b : 0;
    // Each GEMM reads its input and writes its output activations.
    this.#linearActBytesPerToken = L * b * ((h + qkvOut) + (attnOut + h) + k * ((h + 2 * iT) + (iT + h)) + (routerW > 0 ? h + model.numExperts : 0));
    // qkv, o, gate_up, down; MoE adds the router GEMM, top-k and token-to-expert alignment.
    this.#linearKernels = L * (4 + (model.numExperts > 1 ? 3 : 0));
    // QK^T and PV: 2 GEMMs × 2 FLOPs per multiply-add, per query-key pair, head and layer.
    this.#attnFlopsPerPair = 4 * L * hq * d;
    this.#kvBytesPerToken = 2 * L * hkv * d * b;
    this.#qoBytesPerToken = 2 * L * hq * d * b;
    // RMSNorm reads x and writes the normed x: 2 per layer plus the final norm.
    this.#normBytesPerToken = (2 * L + 1) * 2 * h * b;
    // Residual adds (fused into the norm kernels in vLLM but still bytes), rotary on q and k,
    // SiLU-and-mul (reads gate and up, writes one), embedding gather.
    this.#elementwiseBytesPerToken = b * (2 * L * 2 * h + L * 2 * (hq + hkv) * d + L * k * 3 * iT + 2 * h);
    // lm_head over this rank's vocabulary shard, then the sampler over fp32 logits.
    this.#lmHeadFlopsPerRow = 2 * h * vT;
    this.#lmHeadWeightBytes = h * vT * b;
    this.#lmHeadBytesPerRow = (h + vT) * b + model.vocabSize * 8;
    // vLLM all-reduces after o_proj and down_proj in every layer and after the vocab-parallel
    // embedding; lm_head logits are gathered across ranks.
    this.#allReduceMsgBytesPerToken = h * b;
    this.#gatherWireBytesPerRow = ((t - 1) / t) * model.vocabSize * b;
    this.#ringFactor = (2 * (t - 1)) / t;
  }

  /** Fill `w` with the work of a step of shape `s`. */
  fill(s: Readonly<StepShape>, w: StepWork): void {
    const T = s.prefillTokens + s.decodeSeqs;
    const rows = s.prefillSeqs + s.decodeSeqs;
    const L = this.#layers;
    w.tokens = T;
    w.seqs = rows;
    const f = w.flops;
    const by = w.bytes;
    const kn = w.kernels;
    if (T === 0) {
      f.fill(0);
      by.fill(0);
      kn.fill(0);
      w.kvReadBytes = 0;
      w.allReduces = 0;
      w.allReduceWireBytes = 0;
      return;
    }
    let weightBytes = this.#denseWeightBytes;
    if (this.#expertWeightBytes > 0) {
      // Expected experts touched when T tokens each pick k of E uniformly: E(1 − (1 − k/E)^T).
      const e = this.#numExperts;
      weightBytes += this.#expertWeightBytes * e * (1 - Math.pow(1 - this.#expertsPerToken / e, T));
    }
    f[C.linear] = this.#linearFlopsPerToken * T;
    by[C.linear] = weightBytes + this.#linearActBytesPerToken * T;
    kn[C.linear] = this.#linearKernels;

    f[C.attention] = this.#attnFlopsPerPair * (s.prefillAttnPairs + s.decodeKvReadTokens);
    w.kvReadBytes = this.#kvBytesPerToken * (s.prefillKvReadTokens + s.decodeKvReadTokens);
    by[C.attention] = w.kvReadBytes + this.#qoBytesPerToken * T;
    // Two kernels per layer: FlashAttention's split-KV pass and its combine. vidur's A100 profile
    // (data/profiling/a100/attention.csv) measures 12-18 µs per layer for decode batches of 1-13
    // sequences at 32-736 tokens of context, where the K/V bytes take ~1 µs: fixed cost, ~2 kernels.
    kn[C.attention] = 2 * L;

    // reshape_and_cache reads the new K and V and writes them into their blocks.
    f[C.kvWrite] = 0;
    by[C.kvWrite] = 2 * this.#kvBytesPerToken * T;
    kn[C.kvWrite] = L;

    f[C.norm] = 0;
    by[C.norm] = this.#normBytesPerToken * T;
    kn[C.norm] = 2 * L + 1;

    f[C.elementwise] = 0;
    by[C.elementwise] = this.#elementwiseBytesPerToken * T;
    kn[C.elementwise] = 2 * L + 1;

    // vLLM V1 computes logits for the last scheduled token of every request in the batch, partial
    // prefills included, and discards the partial ones' samples (gpu_model_runner._prepare_inputs:
    // logits_indices = query_start_loc[1:] - 1).
    f[C.lmHead] = this.#lmHeadFlopsPerRow * rows;
    by[C.lmHead] = this.#lmHeadWeightBytes + this.#lmHeadBytesPerRow * rows;
    kn[C.lmHead] = 2;

    f[C.allReduce] = 0;
    by[C.allReduce] = 0;
    kn[C.allReduce] = 0;
    f[C.overhead] = 0;
    by[C.overhead] = 0;
    kn[C.overhead] = 0;
    if (this.tensorParallel > 1) {
      w.allReduces = 2 * L + 2;
      w.allReduceWireBytes = this.#ringFactor * this.#allReduceMsgBytesPerToken * T * (2 * L + 1) + this.#gatherWireBytesPerRow * rows;
    } else {
      w.allReduces = 0;
      w.allReduceWireBytes = 0;
    }
  }
}
