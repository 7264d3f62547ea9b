import { z } from 'zod';

/**
 * The fields of a Hugging Face `config.json` the cost model reads. Unknown fields are ignored
 * (real configs carry many), missing optional ones get the architecture's usual value.
 */
export const hfConfigSchema = z.looseObject({
  model_type: z.string().optional(),
  hidden_size: z.int().positive(),
  num_hidden_layers: z.int().positive(),
  num_attention_heads: z.int().positive(),
  num_key_value_heads: z.int().positive().optional(),
  head_dim: z.int().positive().nullish(),
  intermediate_size: z.int().positive(),
  vocab_size: z.int().positive(),
  tie_word_embeddings: z.boolean().optional(),
  torch_dtype: z.string().optional(),
  max_position_embeddings: z.int().positive().optional(),
  num_local_experts: z.int().positive().optional(),
  num_experts_per_tok: z.int().positive().optional(),
  attention_bias: z.boolean().optional(),
});

/** A HF config.json as parsed. */
export type HfConfig = z.infer<typeof hfConfigSchema>;

/** A decoder-only transformer, with the counts the cost model needs. */
export interface ModelSpec {
  readonly name: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly numExperts: number;
  readonly expertsPerToken: number;
  readonly tieWordEmbeddings: boolean;
  /** q, k and v projections carry a bias (Qwen2 always; Llama when attention_bias is set). */
  readonly attentionBias: boolean;
  readonly bytesPerParam: number;
  readonly maxPositionEmbeddings: number;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2, float8: 1, fp8: 1, float8_e4m3fn: 1 };

/**
 * Build a ModelSpec from a HF config (gated-MLP Llama/Qwen2/Mistral/Mixtral family). Throws on
 * shapes those architectures cannot have (heads not dividing the hidden size, KV heads not
 * dividing the query heads, more active experts than experts).
 */
export function modelFromHfConfig(name: string, cfg: HfConfig): ModelSpec {
  const numHeads = cfg.num_attention_heads;
  const numKvHeads = cfg.num_key_value_heads ?? numHeads;
  if (cfg.head_dim == null && cfg.hidden_size % numHeads !== 0) {
    throw new Error(`hidden_size ${cfg.hidden_size} is not a multiple of num_attention_heads ${numHeads} and head_dim is not set`);
  }
  if (numHeads % numKvHeads !== 0) {
    throw new Error(`num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  const numExperts = cfg.num_local_experts ?? 1;
  const expertsPerToken = numExperts > 1 ? cfg.num_experts_per_tok ?? 2 : 1;
  if (expertsPerToken > numExperts) {
    throw new Error(`num_experts_per_tok ${expertsPerToken} exceeds num_local_experts ${numExperts}`);
  }
  const dtype = cfg.torch_dtype ?? 'bfloat16';
  const bytesPerParam = DTYPE_BYTES[dtype];
  if (bytesPerParam === undefined) {
    throw new Error(`torch_dtype '${dtype}' is not supported; valid: ${Object.keys(DTYPE_BYTES).join(', ')}`);
  }
  return {
    name,
    hiddenSize: cfg.hidden_size,
    numLayers: cfg.num_hidden_layers,
    numHeads,
    numKvHeads,
    headDim: cfg.head_dim ?? cfg.hidden_size / numHeads,
    intermediateSize: cfg.intermediate_size,
    vocabSize: cfg.vocab_size,
    numExperts,
    expertsPerToken,
    tieWordEmbeddings: cfg.tie_word_embeddings ?? false,
    // transformers' Qwen2Attention builds q/k/v with bias=True regardless of the config.
    attentionBias: cfg.attention_bias ?? cfg.model_type === 'qwen2',
    bytesPerParam,
    maxPositionEmbeddings: cfg.max_position_embeddings ?? 4096,
  };
}

/** Parameters of one layer's attention projections (q, k, v, o, and q/k/v biases if any). */
export function attentionParamsPerLayer(m: ModelSpec): number {
  const qkvOut = (m.numHeads + 2 * m.numKvHeads) * m.headDim;
  const o = m.numHeads * m.headDim * m.hiddenSize;
  return m.hiddenSize * qkvOut + o + (m.attentionBias ? qkvOut : 0);
}

/** Parameters of one expert's gated MLP (gate, up, down). */
export function mlpParamsPerExpert(m: ModelSpec): number {
  return 3 * m.hiddenSize * m.intermediateSize;
}

/** Parameters of the MoE router of one layer (0 for dense models). */
export function routerParamsPerLayer(m: ModelSpec): number {
  return m.numExperts > 1 ? m.hiddenSize * m.numExperts : 0;
}

/** All parameters (weights held in memory), including embeddings, norms and lm_head. */
export function totalParams(m: ModelSpec): number {
  const perLayer = attentionParamsPerLayer(m) + m.numExperts * mlpParamsPerExpert(m) + routerParamsPerLayer(m) + 2 * m.hiddenSize;
  const embed = m.vocabSize * m.hiddenSize;
  return m.numLayers * perLayer + embed + (m.tieWordEmbeddings ? 0 : embed) + m.hiddenSize;
}

/** Parameters one token multiplies through in the transformer layers (active experts only). */
export function activeLayerParams(m: ModelSpec): number {
  return m.numLayers * (attentionParamsPerLayer(m) + routerParamsPerLayer(m) + m.expertsPerToken * mlpParamsPerExpert(m));
}

/**
 * KV heads each tensor-parallel rank holds: vLLM splits them over ranks and replicates them
 * when tp exceeds their number (vllm/config ModelConfig.get_num_kv_heads:
 * max(1, total_num_kv_heads // tensor_parallel_size)).
 */
export function kvHeadsPerRank(m: ModelSpec, tensorParallel: number): number {
  return Math.max(1, Math.floor(m.numKvHeads / tensorParallel));
}

/** Bytes of K and V one token occupies across all layers (whole model, all ranks' shares). */
export function kvBytesPerToken(m: ModelSpec): number {
  return 2 * m.numLayers * m.numKvHeads * m.headDim * m.bytesPerParam;
}

/** Bytes of K and V one token occupies on one tensor-parallel rank. */
export function kvBytesPerTokenPerRank(m: ModelSpec, tensorParallel: number): number {
  return 2 * m.numLayers * kvHeadsPerRank(m, tensorParallel) * m.headDim * m.bytesPerParam;
}

/**
 * Why `m` cannot be split over `tensorParallel` ranks, or undefined if it can. vLLM requires the
 * query heads to divide evenly and the KV heads to divide or be divided by the TP degree.
 */
export function tensorParallelProblem(m: ModelSpec, tensorParallel: number): string | undefined {
  if (m.numHeads % tensorParallel !== 0) {
    return `num_attention_heads ${m.numHeads} is not divisible by tensor parallel size ${tensorParallel}`;
  }
  if (m.numKvHeads % tensorParallel !== 0 && tensorParallel % m.numKvHeads !== 0) {
    return `num_key_value_heads ${m.numKvHeads} and tensor parallel size ${tensorParallel} do not divide one another`;
  }
  return undefined;
}

/** The architecture in one string (what a calibration is valid for, whatever the file is called). */
export function modelFingerprint(m: ModelSpec): string {
  return `h${m.hiddenSize}-l${m.numLayers}-q${m.numHeads}-kv${m.numKvHeads}-d${m.headDim}-i${m.intermediateSize}` +
    `-v${m.vocabSize}-e${m.numExperts}x${m.expertsPerToken}-b${m.bytesPerParam}`;
}
