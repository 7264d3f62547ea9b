import type { GpuSpec } from './gpu-spec.js';
import { activeLayerParams, kvBytesPerToken, totalParams, type ModelSpec } from './model-spec.js';
import type { CostModel, StepShape } from './types.js';

/** Coefficients of the roofline step model, each with its default and where it comes from. */
export interface RooflineCoefficients {
  /**
   * Fraction of peak tensor FLOPS reached by large GEMMs. Default 0.65: vidur's H100 profile of
   * Llama-2-7B linear layers (2048 tokens: 40.5 ms for 26.5 TFLOP ⇒ 0.66 of 989 TFLOPS).
   */
  readonly computeEfficiency: number;
  /**
   * Fraction of datasheet memory bandwidth reached when streaming weights and KV. Default 0.7:
   * the same profile's 1-token step (5.6 ms for 13.5 GB ⇒ 0.72 of 3.35 TB/s).
   */
  readonly memoryEfficiency: number;
  /** Fixed CPU/launch overhead per engine step, µs. Default 300 (vLLM v1 with CUDA graphs). */
  readonly stepOverheadUs: number;
}

/** Default coefficients (see each field for its source). */
export const DEFAULT_ROOFLINE: RooflineCoefficients = {
  computeEfficiency: 0.65,
  memoryEfficiency: 0.7,
  stepOverheadUs: 300,
};

/**
 * First-order roofline (issue 2's model): time = max(FLOPs / (peak × effC), bytes / (bw × effM))
 * + per-step overhead. FLOPs = 2 × active layer params × tokens + 2 × lm_head params × sampled
 * sequences + attention (4 × layers × heads × headDim × causal pairs); bytes = weights once per
 * step + K/V read by attention + K/V written for new tokens.
 */
export class RooflineCostModel implements CostModel {
  readonly name = 'roofline';
  readonly #flopsPerSec: number;
  readonly #bytesPerSec: number;
  readonly #overheadUs: number;
  readonly #linearFlopsPerToken: number;
  readonly #lmHeadFlopsPerSample: number;
  readonly #attnFlopsPerPair: number;
  readonly #weightBytes: number;
  readonly #kvBytesPerToken: number;

  constructor(model: ModelSpec, gpu: GpuSpec, coeff: RooflineCoefficients = DEFAULT_ROOFLINE) {
    this.#flopsPerSec = gpu.bf16Tflops * 1e12 * coeff.computeEfficiency;
    this.#bytesPerSec = gpu.memoryBandwidthGBps * 1e9 * coeff.memoryEfficiency;
    this.#overheadUs = coeff.stepOverheadUs;
    this.#linearFlopsPerToken = 2 * activeLayerParams(model);
    this.#lmHeadFlopsPerSample = 2 * model.vocabSize * model.hiddenSize;
    // QK^T and PV: 2 matmuls × 2 FLOPs per multiply-add, per head and layer.
    this.#attnFlopsPerPair = 4 * model.numLayers * model.numHeads * model.headDim;
    this.#weightBytes = totalParams(model) * model.bytesPerParam;
    this.#kvBytesPerToken = kvBytesPerToken(model);
  }

  stepTimeUs(s: Readonly<StepShape>): number {
    const tokens = s.prefillTokens + s.decodeSeqs;
    if (tokens === 0) return 0;
    const flops = this.#linearFlopsPerToken * tokens + this.#lmHeadFlopsPerSample * s.sampledSeqs
      + this.#attnFlopsPerPair * (s.prefillAttnPairs + s.decodeKvReadTokens);
    const bytes = this.#weightBytes + this.#kvBytesPerToken * (s.prefillKvReadTokens + s.decodeKvReadTokens + tokens);
    const computeUs = (flops / this.#flopsPerSec) * 1e6;
    const memoryUs = (bytes / this.#bytesPerSec) * 1e6;
    return Math.max(computeUs, memoryUs) + this.#overheadUs;
  }
}
