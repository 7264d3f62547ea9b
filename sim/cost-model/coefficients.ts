import { z } from 'zod';

/**
 * Coefficients of the roofline step model. Efficiencies scale datasheet peaks; overheads are
 * fixed costs. Defaults are in {@link DEFAULT_ROOFLINE}; each field's doc says where its
 * default comes from. `agentbench calibrate` fits them to measurements.
 */
export const coefficientsSchema = z.strictObject({
  /** Fraction of peak tensor FLOP/s reached by the linear layers and lm_head (GEMMs). */
  computeEfficiency: z.number().positive(),
  /** Fraction of peak tensor FLOP/s reached by attention (FlashAttention) kernels. */
  attentionEfficiency: z.number().positive(),
  /** Fraction of datasheet memory bandwidth reached when streaming weights and activations. */
  memoryEfficiency: z.number().positive(),
  /**
   * Fraction of datasheet memory bandwidth attention kernels reach reading the paged KV cache
   * (block-table gathers, split-KV reductions: below streaming bandwidth).
   */
  attentionMemoryEfficiency: z.number().positive(),
  /**
   * Sharpness p of the smooth roofline: a component takes (compute^p + memory^p)^(1/p). Large p is
   * the bare max (perfect overlap of compute and memory); small p charges more near the ridge,
   * where neither hides the other (p = 1 is no overlap at all).
   */
  rooflineSharpness: z.number().min(1),
  /** Fixed cost of every GEMM or attention kernel (ramp-up, tail, gap), µs. */
  kernelOverheadUs: z.number().nonnegative(),
  /** Fixed cost of every small memory-bound kernel (norm, rotary, activation, KV write), µs. */
  elementwiseKernelUs: z.number().nonnegative(),
  /** Fixed CPU cost of one engine step (schedule, prepare inputs, sample, update), µs. */
  stepOverheadUs: z.number().nonnegative(),
  /** CPU cost per scheduled sequence per step, µs. */
  perSeqOverheadUs: z.number().nonnegative(),
  /** Fraction of the per-direction interconnect bandwidth an all-reduce reaches (NCCL bus bandwidth). */
  interconnectEfficiency: z.number().positive(),
  /** Fixed latency of one all-reduce, µs. */
  allReduceLatencyUs: z.number().nonnegative(),
});

/** Coefficients of the roofline step model. */
export type RooflineCoefficients = z.output<typeof coefficientsSchema>;

/** A partial set (scenario overrides, calibration files). */
export const coefficientOverridesSchema = coefficientsSchema.partial();

/** Partial coefficients. */
export type CoefficientOverrides = z.output<typeof coefficientOverridesSchema>;

/** Coefficient names in a stable order. */
export const COEFFICIENT_NAMES = Object.keys(coefficientsSchema.shape) as (keyof RooflineCoefficients)[];

/**
 * Default coefficients. The H100 ones are fitted to microsoft/vidur's measured H100 profile of
 * Llama-2-7B linear + norm ops (data/profiling/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv,
 * medians; 1 / 128 / 512 / 2048 / 4096 tokens: 5.6 / 6.4 / 12.0 / 40.5 / 82.9 ms for the whole
 * forward), which this model reproduces within 5% (see roofline.test.ts). They apply to every
 * GPU until calibrated.
 */
export const DEFAULT_ROOFLINE: RooflineCoefficients = {
  // vidur H100 profile: 2048 and 4096 tokens are compute-bound; 2 × 6.5 G params × 4096 tokens
  // in 82.9 ms is 0.65 of 989 TFLOPS, 0.67 once the kernels' fixed cost is taken out.
  computeEfficiency: 0.69,
  // FlashAttention-3 paper (Shah et al. 2024, abstract and fig. 5): on H100 the FP16/BF16
  // forward reaches up to 740 TFLOPS (75% of peak) on long sequences and much less on short,
  // causal ones; vLLM's chunks are short-to-medium, so half of peak.
  attentionEfficiency: 0.5,
  // vidur H100 profile: 1 token (weights only) takes 175 µs per layer for 405 MB: 2.3 TB/s with
  // the kernels' fixed cost included, 0.84 of 3.35 TB/s without it.
  memoryEfficiency: 0.84,
  attentionMemoryEfficiency: 0.77,
  rooflineSharpness: 2.5,
  // vidur H100 profile, same fit: 6 kernels per layer (4 GEMMs, 2 RMSNorms) carry ~39 µs of
  // size-independent time (the 1-token and 128-token rows differ by only 25 µs per layer).
  kernelOverheadUs: 6.5,
  elementwiseKernelUs: 4.5,
  // vLLM blog "vLLM V1: A Major Upgrade to vLLM's Core Architecture" (Jan 2025, section 1):
  // per-step CPU work (scheduling, input preparation, detokenising) is significant next to the
  // ~5 ms GPU step of Llama-8B on H100, and V1 overlaps most of it; we charge 0.3 ms.
  stepOverheadUs: 300,
  // vLLM V1 keeps a persistent batch and detokenises in the front-end process, so per-sequence
  // engine work is small; 0 by default (vidur's V0 profile, data/profiling/a100/cpu_overheads.csv,
  // grows ~25 µs per sequence, most of it work V1 moved off the step). Calibration fits it.
  perSeqOverheadUs: 0,
  // vidur data/profiling/network/h100_dgx/all_reduce.csv: 64 MiB over 4 H100s in 0.318 ms =
  // 316 GB/s ring bus bandwidth, 0.70 of NVLink's 450 GB/s per direction.
  interconnectEfficiency: 0.7,
  // Same file: all-reduces of 2 KB-1 MB over 8 H100s take 19-40 µs (median ~30); vLLM's custom
  // all-reduce is faster for small messages, so 20 µs.
  allReduceLatencyUs: 20,
};

/** Defaults ⊕ overrides, later ones winning. */
export function mergeCoefficients(base: RooflineCoefficients, ...overrides: (CoefficientOverrides | undefined)[]): RooflineCoefficients {
  const out: Record<string, number> = { ...base };
  for (const o of overrides) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  }
  return out as unknown as RooflineCoefficients;
}
