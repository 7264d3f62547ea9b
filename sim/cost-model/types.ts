/**
 * The shape of one engine step, aggregated per step so the cost model never looks at
 * individual tokens. Filled by the engine from its scheduled batch.
 */
export interface StepShape {
  /** Sequences running a prefill chunk (new prompt, continued chunk or recompute). */
  prefillSeqs: number;
  /** Tokens in all prefill chunks. */
  prefillTokens: number;
  /** Σ over chunks of chunk × (context before + (chunk + 1) / 2): causal attention pairs. */
  prefillAttnPairs: number;
  /** Σ over chunks of (context before + chunk): K/V tokens read by prefill attention. */
  prefillKvReadTokens: number;
  /** Sequences decoding one token. */
  decodeSeqs: number;
  /** Σ over decodes of their context length (K/V tokens read by decode attention). */
  decodeKvReadTokens: number;
  /** Sequences that sample a token this step (decodes and prefills that finish their prompt). */
  sampledSeqs: number;
}

/** An empty shape (reset it in place with {@link resetShape} in hot paths). */
export function emptyShape(): StepShape {
  return {
    prefillSeqs: 0, prefillTokens: 0, prefillAttnPairs: 0, prefillKvReadTokens: 0,
    decodeSeqs: 0, decodeKvReadTokens: 0, sampledSeqs: 0,
  };
}

/** Zero a shape in place. */
export function resetShape(s: StepShape): void {
  s.prefillSeqs = s.prefillTokens = s.prefillAttnPairs = s.prefillKvReadTokens = 0;
  s.decodeSeqs = s.decodeKvReadTokens = s.sampledSeqs = 0;
}

/** Add one sequence's chunk to a shape: `tokens` scheduled after `contextBefore` computed. */
export function addToShape(s: StepShape, contextBefore: number, tokens: number, isDecode: boolean, samples: boolean): void {
  if (isDecode) {
    s.decodeSeqs++;
    s.decodeKvReadTokens += contextBefore + 1;
  } else {
    s.prefillSeqs++;
    s.prefillTokens += tokens;
    s.prefillAttnPairs += tokens * contextBefore + (tokens * (tokens + 1)) / 2;
    s.prefillKvReadTokens += contextBefore + tokens;
  }
  if (samples) s.sampledSeqs++;
}

/** What bounds a component: compute, memory, the interconnect, fixed overhead, or nothing (no work). */
export type Bound = 'compute' | 'memory' | 'network' | 'fixed' | 'idle';

/** Time of one component of a step (one tensor-parallel rank). */
export interface ComponentTime {
  readonly name: string;
  readonly flops: number;
  readonly bytes: number;
  readonly kernels: number;
  /** FLOPs at the component's efficiency-scaled peak, µs. */
  readonly computeUs: number;
  /** Bytes at the efficiency-scaled memory bandwidth (KV reads at the attention bandwidth), µs. */
  readonly memoryUs: number;
  /** Of memoryUs, the paged K/V read at the attention-specific bandwidth (attention only), µs. */
  readonly kvReadUs: number;
  /**
   * What the smooth roofline charges beyond max(computeUs, memoryUs): near the ridge neither
   * hides the other fully, µs.
   */
  readonly ridgeUs: number;
  /** Interconnect transfer time (all-reduce only), µs. */
  readonly networkUs: number;
  /**
   * Fixed costs: kernel, all-reduce latency; for 'overhead', the CPU time not hidden behind GPU
   * work (StepBreakdown.hiddenUs), µs.
   */
  readonly overheadUs: number;
  /** overheadUs + max(computeUs, memoryUs) + ridgeUs + networkUs. */
  readonly timeUs: number;
  readonly bound: Bound;
}

/** A step's time broken down by component. */
export interface StepBreakdown {
  readonly totalUs: number;
  readonly tokens: number;
  readonly seqs: number;
  readonly components: readonly ComponentTime[];
  /** Of the 'overhead' component: the fixed per-step CPU cost, µs. */
  readonly stepOverheadUs: number;
  /** Of the 'overhead' component: the per-sequence CPU cost × sequences, µs. */
  readonly perSeqOverheadUs: number;
  /** GPU time: every component but 'overhead' (kernels, roofline, network), µs. */
  readonly gpuUs: number;
  /** CPU time: stepOverheadUs + perSeqOverheadUs, µs. */
  readonly cpuUs: number;
  /**
   * Hidden by overlapping CPU and GPU work (cpuOverlap × min(gpuUs, cpuUs)); the 'overhead'
   * component carries cpuUs − hiddenUs, so totalUs = gpuUs + cpuUs − hiddenUs, µs.
   */
  readonly hiddenUs: number;
}

/** Step time of a batch on one instance. Pure: same shape, same time. */
export interface CostModel {
  readonly name: string;
  stepTimeUs(shape: Readonly<StepShape>): number;
  /** The same time broken down by component (for explain tools; may allocate). */
  explain?(shape: Readonly<StepShape>): StepBreakdown;
  /**
   * Latency of the API-server front end for one request of `promptTokens` prompt tokens, µs
   * (HTTP, tokenising, the IPC hop to the engine and the first token's way back): paid before
   * the request reaches the engine. Absent: 0.
   */
  frontendUs?(promptTokens: number): number;
  /**
   * The step when no step runs before it (the engine was idle): its CPU work cannot overlap a
   * previous step's GPU work, so nothing is hidden (GPU + CPU). Absent: stepTimeUs.
   */
  stepTimeAfterIdleUs?(shape: Readonly<StepShape>): number;
}
