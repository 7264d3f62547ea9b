import { describe, expect, test } from 'vitest';
import { loadModel } from './catalog/index.js';
import { activeLayerParams, kvBytesPerToken, totalParams } from './model-spec.js';
import { C, StepWorkModel, emptyWork } from './step-work.js';
import { addToShape, emptyShape } from './types.js';

const llama8b = loadModel('llama-3.1-8b');

// Llama-3.1-8B by hand: h 4096, 32 layers, 32 q heads, 8 KV heads, head dim 128, MLP 14336,
// vocab 128256, bf16.
const Q = 4096 * 4096; // q_proj
const KV = 2 * 4096 * 1024; // k_proj + v_proj
const O = 4096 * 4096; // o_proj
const MLP = 3 * 4096 * 14336; // gate, up, down
const LAYER_LINEAR = Q + KV + O + MLP; // 218,103,808

describe('parameter counts (published totals)', () => {
  test.each([
    ['llama-3.1-8b', 8_030_261_248],
    ['llama-3.1-70b', 70_553_706_496],
    ['llama-2-7b', 6_738_415_616],
    ['qwen2.5-7b', 7_615_616_512],
    ['qwen2.5-32b', 32_763_876_352],
    ['mixtral-8x7b', 46_702_792_704],
  ])('%s has %d parameters', (name, n) => {
    expect(totalParams(loadModel(name))).toBe(n);
  });

  test('Mixtral activates 2 of 8 experts per token', () => {
    const m = loadModel('mixtral-8x7b');
    const attn = 4096 * 4096 + 2 * 4096 * 1024 + 4096 * 4096;
    expect(activeLayerParams(m)).toBe(32 * (attn + 4096 * 8 + 2 * MLP));
  });
});

describe('StepWorkModel: Llama-3.1-8B on one GPU, by hand', () => {
  const work = new StepWorkModel(llama8b, 1);
  const w = emptyWork();

  test('one decode at context 1000', () => {
    const s = emptyShape();
    addToShape(s, 1000, 1, true, true);
    work.fill(s, w);
    expect(w.tokens).toBe(1);
    expect(LAYER_LINEAR).toBe(218_103_808);
    expect(w.flops[C.linear]).toBe(2 * 32 * LAYER_LINEAR); // 13,958,643,712
    // Weights once + each GEMM's input and output activations (qkv 4096→6144, o 4096→4096,
    // gate_up 4096→28672, down 14336→4096), bf16.
    const act = 32 * 2 * ((4096 + 6144) + (4096 + 4096) + (4096 + 28672) + (14336 + 4096));
    expect(w.bytes[C.linear]).toBe(32 * LAYER_LINEAR * 2 + act);
    // Attention: QK^T and PV over 1001 keys (1000 before + the new token), 32 heads of 128.
    expect(w.flops[C.attention]).toBe(4 * 32 * 32 * 128 * 1001);
    expect(kvBytesPerToken(llama8b)).toBe(131_072); // 2 × 32 layers × 8 heads × 128 × 2 B
    expect(w.bytes[C.attention]).toBe(131_072 * 1001 + 2 * 32 * 32 * 128 * 2);
    expect(w.bytes[C.kvWrite]).toBe(2 * 131_072);
    // lm_head: one row of 4096 × 128256, then fp32 logits written and read by the sampler.
    expect(w.flops[C.lmHead]).toBe(2 * 4096 * 128_256);
    expect(w.bytes[C.lmHead]).toBe(4096 * 128_256 * 2 + (4096 + 128_256) * 2 + 128_256 * 8);
    expect(w.bytes[C.norm]).toBe(65 * 2 * 4096 * 2);
    expect(w.kernels[C.linear]).toBe(128);
    expect(w.allReduces).toBe(0);
  });

  test('a 512-token prefill chunk after 1024 cached tokens', () => {
    const s = emptyShape();
    addToShape(s, 1024, 512, false, true);
    work.fill(s, w);
    expect(w.flops[C.linear]).toBe(2 * 32 * LAYER_LINEAR * 512);
    // Causal pairs: every new token sees the 1024 cached ones plus itself and those before it.
    const pairs = 512 * 1024 + (512 * 513) / 2;
    expect(w.flops[C.attention]).toBe(4 * 32 * 32 * 128 * pairs);
    expect(w.bytes[C.attention]).toBe(131_072 * (1024 + 512) + 2 * 32 * 32 * 128 * 2 * 512);
    expect(w.flops[C.lmHead]).toBe(2 * 4096 * 128_256); // one row per request, not per token
  });

  test('tensor parallel 2: half the GEMM work, ring all-reduces of the activations', () => {
    const tp2 = new StepWorkModel(llama8b, 2);
    const s = emptyShape();
    addToShape(s, 0, 100, false, true);
    tp2.fill(s, w);
    expect(w.flops[C.linear]).toBe(32 * LAYER_LINEAR * 100); // 2 × params × tokens / 2
    expect(w.flops[C.attention]).toBe(4 * 32 * 16 * 128 * ((100 * 101) / 2));
    // 2 per layer + embedding, each 2(tp−1)/tp × 100 tokens × 4096 × 2 B; plus the logits gather.
    expect(w.allReduces).toBe(66);
    expect(w.allReduceWireBytes).toBe(1 * 100 * 4096 * 2 * 65 + 0.5 * 128_256 * 2);
  });

  test('tensor parallel beyond the KV heads replicates them', () => {
    const m = loadModel('llama-3.1-70b');
    const tp16 = new StepWorkModel(m, 16);
    const s = emptyShape();
    addToShape(s, 99, 1, true, true);
    tp16.fill(s, w);
    // 8 KV heads over 16 ranks: each rank keeps 1 (vLLM replicates), not 0.5.
    expect(w.bytes[C.kvWrite]).toBe(2 * (2 * 80 * 1 * 128 * 2));
  });

  test('MoE weights read grow with the experts the tokens touch', () => {
    const m = loadModel('mixtral-8x7b');
    const moe = new StepWorkModel(m, 1);
    const bytes = (tokens: number): number => {
      const s = emptyShape();
      addToShape(s, 0, tokens, false, true);
      moe.fill(s, w);
      return w.bytes[C.linear]!;
    };
    const attnRouter = 32 * (4096 * 4096 * 2 + 2 * 4096 * 1024 + 4096 * 8) * 2;
    const act1 = 32 * 2 * ((4096 + 6144) + (4096 + 4096) + 2 * ((4096 + 28672) + (14336 + 4096)) + 4096 + 8);
    // One token touches exactly 2 of 8 experts.
    expect(bytes(1)).toBeCloseTo(attnRouter + 2 * 32 * MLP * 2 + act1, 0);
    // Thousands of tokens touch all 8.
    expect(bytes(4096) - 4096 * act1).toBeCloseTo(attnRouter + 8 * 32 * MLP * 2, -3);
  });

  test('rejects a TP degree the heads do not split over', () => {
    expect(() => new StepWorkModel(llama8b, 3)).toThrow(/not divisible by tensor parallel size 3/);
  });
});
