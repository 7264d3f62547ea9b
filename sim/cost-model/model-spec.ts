import { z } from 'zod';

/**
 * The fields of a Hugging Face `config.json` the cost model reads. Unknown fields are ignored
 * (real configs carry many), missing optional ones get the architecture's usual value.
 */
export const hfConfigSchema = z.looseObject({
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
  readonly bytesPerParam: number;
  readonly maxPositionEmbeddings: number;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2, float8: 1, fp8: 1 };

/** Build a ModelSpec from a HF config (gated-MLP Llama/Qwen/Mistral/Mixtral family). */
export function modelFromHfConfig(name: string, cfg: HfConfig): ModelSpec {
  const numHeads = cfg.num_attention_heads;
  return {
    name,
    hiddenSize: cfg.hidden_size,
    numLayers: cfg.num_hidden_layers,
    numHeads,
    numKvHeads: cfg.num_key_value_heads ?? numHeads,
    headDim: cfg.head_dim ?? cfg.hidden_size / numHeads,
    intermediateSize: cfg.intermediate_size,
    vocabSize: cfg.vocab_size,
    numExperts: cfg.num_local_experts ?? 1,
    expertsPerToken: cfg.num_experts_per_tok ?? 1,
    tieWordEmbeddings: cfg.tie_word_embeddings ?? false,
    bytesPerParam: DTYPE_BYTES[cfg.torch_dtype ?? 'bfloat16'] ?? 2,
    maxPositionEmbeddings: cfg.max_position_embeddings ?? 4096,
  };
}

/** Parameters of one layer's attention projections (q, k, v, o). */
export function attentionParamsPerLayer(m: ModelSpec): number {
  const q = m.hiddenSize * m.numHeads * m.headDim;
  const kv = 2 * m.hiddenSize * m.numKvHeads * m.headDim;
  const o = m.numHeads * m.headDim * m.hiddenSize;
  return q + kv + o;
}

/** Parameters of one expert's gated MLP (gate, up, down). */
export function mlpParamsPerExpert(m: ModelSpec): number {
  return 3 * m.hiddenSize * m.intermediateSize;
}

/** All parameters (weights held in memory), including embeddings and lm_head. */
export function totalParams(m: ModelSpec): number {
  const perLayer = attentionParamsPerLayer(m) + m.numExperts * mlpParamsPerExpert(m)
    + (m.numExperts > 1 ? m.hiddenSize * m.numExperts : 0) + 2 * m.hiddenSize;
  const embed = m.vocabSize * m.hiddenSize;
  return m.numLayers * perLayer + embed + (m.tieWordEmbeddings ? 0 : embed) + m.hiddenSize;
}

/** Parameters one token multiplies through in the transformer layers (active experts only). */
export function activeLayerParams(m: ModelSpec): number {
  return m.numLayers * (attentionParamsPerLayer(m) + m.expertsPerToken * mlpParamsPerExpert(m));
}

/** Bytes of K and V one token occupies across all layers. */
export function kvBytesPerToken(m: ModelSpec): number {
  return 2 * m.numLayers * m.numKvHeads * m.headDim * m.bytesPerParam;
}
