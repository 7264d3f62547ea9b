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
  /**
   * Fraction of the shorter of a step's GPU time and its CPU time (stepOverheadUs +
   * perSeqOverheadUs × sequences) hidden by running them at the same time: 1 = async scheduling
   * (the CPU schedules and prepares step n+1 while the GPU runs step n, so a step takes the
   * longer of the two), 0 = synchronous (they add up).
   */
  cpuOverlap: z.number().min(0).max(1),
  /**
   * Latency the OpenAI API server front end adds to every request, µs, besides tokenising the
   * prompt: HTTP handling, the chat template, the EngineCoreClient → EngineCore IPC hop (vLLM
   * V1's AsyncLLM, ZMQ + msgpack), and the way back for the first token (detokenising, SSE).
   * Charged before the request reaches the engine; the way back adds the same constant to
   * every token, so it moves TTFT and E2E, never ITL, and charging it up front is equivalent.
   */
  frontendUs: z.number().nonnegative(),
  /** Front-end latency per prompt token (tokenising the prompt), µs. */
  frontendPerPromptTokenUs: z.number().nonnegative(),
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
 * Default coefficients, each from public measurements (docs/cost-model.md lists the sources,
 * which fidelity points each one was chosen on, and the resulting errors; `npm run fidelity`
 * recomputes them). The memory and kernel figures come from microsoft/vidur's measured H100
 * profile of Llama-2-7B linear + norm ops (data/profiling/compute/h100/meta-llama/Llama-2-7b-hf/
 * mlp.csv, medians; 1 / 128 / 512 / 2048 / 4096 tokens: 5.6 / 6.4 / 12.0 / 40.5 / 82.9 ms for the
 * whole forward). They apply to every GPU until calibrated.
 */
export const DEFAULT_ROOFLINE: RooflineCoefficients = {
  // Compute-bound rows of vidur's profiles (fit points of the fidelity suite): 2 × 6.5 G params ×
  // 4096 tokens of Llama-2-7B take 82.9 ms on H100 (0.65 of 989 TFLOPS) and 246.4 ms on A100
  // (0.69 of 312, after the norms); 2048 tokens on H100: 0.67. Least squares over the three: 0.69.
  computeEfficiency: 0.69,
  // FlashAttention-3 paper (Shah et al. 2024, abstract and fig. 5): on H100 the FP16/BF16
  // forward reaches up to 740 TFLOPS (75% of peak) on long sequences and much less on short,
  // causal ones; vLLM's chunks are short-to-medium, so half of peak.
  attentionEfficiency: 0.5,
  // vidur H100 profile: 1 token (weights only) takes 175 µs per layer for 405 MB: 2.3 TB/s with
  // the kernels' fixed cost included, 0.84 of 3.35 TB/s without it.
  memoryEfficiency: 0.84,
  // vidur data/profiling/a100/attention.csv, paged decode attention of Llama-2-70B's per-rank
  // shape at TP2 (4 KV heads of 128, block 16), context 2688, batches 24-80: after the 13 µs
  // fixed cost of its two kernels, 132-440 MB of K/V per layer move at 0.65-0.88 of 2,039 GB/s;
  // least squares on log error: 0.77 (below streaming's 0.84: block-table gathers and split-KV).
  attentionMemoryEfficiency: 0.77,
  // vidur A100 and H100 Llama-2-7B rows at 128 tokens, where the GEMMs sit at the ridge (A100:
  // compute ≈ memory ≈ 240 µs per layer): measured 11.57 ms on A100 and 6.4 ms on H100 against
  // 10.2 and 5.9 for a bare max; p = 2.5 charges 2^(1/2.5) = 1.32 × max at the ridge and brings
  // both within 2%. Away from the ridge it converges to the max (4:1 apart: +1.2%; 10:1: +0.1%).
  rooflineSharpness: 2.5,
  // vidur H100 profile, same fit: 4 GEMMs and 2 RMSNorms per layer carry ~39 µs of
  // size-independent time (the 1-token and 128-token rows differ by only 25 µs per layer):
  // 2 × 4.5 for the norms (below) leaves 7.5 per GEMM; 6.5 keeps the 1-token rows within 3%.
  kernelOverheadUs: 6.5,
  // vidur A100 and H100 Llama-2-7B profiles, 1-token rows (bytes negligible): input_layernorm and
  // post_attention_layernorm 4-5 µs, attn_rope 5 µs, mlp_act 7 µs, add 2 µs per kernel.
  elementwiseKernelUs: 4.5,
  // vLLM blog "vLLM V1: A Major Upgrade to vLLM's Core Architecture" (Jan 2025, section 1):
  // per-step CPU work (scheduling, input preparation, detokenising) is significant next to the
  // ~5 ms GPU step of Llama-8B on H100: 0.3 ms of CPU per step, which cpuOverlap (below) hides
  // behind the GPU work whenever the GPU step is longer.
  stepOverheadUs: 300,
  // vLLM V1 keeps a persistent batch and detokenises in the front-end process, so per-sequence
  // engine work is small; 0 by default (vidur's V0 profile, data/profiling/a100/cpu_overheads.csv,
  // grows ~25 µs per sequence, most of it work V1 moved off the step). Calibration fits it.
  perSeqOverheadUs: 0,
  // vLLM schedules asynchronously by default: vllm/config/scheduler.py `async_scheduling: bool |
  // None = None` ("helps to avoid gaps in GPU utilization"), resolved in vllm/config/vllm.py
  // ("Enable async scheduling unless there is an incompatible option"; the switch is
  // vllm-project/vllm PR #27614 of the "Async Scheduling Plan", issue #27679), and
  // vllm/v1/executor/uniproc_executor.py then keeps 2 batches in flight (max_concurrent_batches).
  // The scheduler runs one step ahead (design: PR #19970, after NanoFlow), so the CPU work of a
  // step overlaps the GPU work of another and a step takes the longer of the two. The public
  // serving runs of the fidelity suite use vLLM 0.21 and 0.23, after the switch. A synchronous
  // engine (--no-async-scheduling, vLLM V0, vidur's profiles): 0.
  cpuOverlap: 1,
  // tenstorrent/tt-inference-server issue #190 (comment of 2025-05-08, Llama-3.3-70B, 128-token
  // prompts, 32 concurrent): the same vLLM engine measured offline (LLM.generate) and online
  // (OpenAI API server, benchmark_serving.py) differs by +4 ms of mean TTFT (231 → 235 ms),
  // "from HTTP server + ZMQ latency". Offline runs tokenise the prompt too, so the 4 ms is the
  // rest of the front end (HTTP, request/response handling, IPC, SSE); tokenising is charged on
  // top (below). Not fitted to any fidelity point.
  frontendUs: 4000,
  // ai-dynamo/dynamo PR #1868 (tokenizer benchmark): HF `tokenizers` (the Rust library behind
  // vLLM's fast tokenizers) encodes an 8k-token sequence in 2 ms on one core: 0.25 µs per token.
  // Chat-template rendering and call overheads are per request (frontendUs), not per token.
  frontendPerPromptTokenUs: 0.25,
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
