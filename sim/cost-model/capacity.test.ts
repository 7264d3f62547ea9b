import { describe, expect, test } from 'vitest';
import { capacityReport, fitShortfall, kvCapacity, shortfallMessage } from './capacity.js';
import { loadGpu, loadModel } from './catalog/index.js';

const h100 = loadGpu('h100-sxm');
const llama8b = loadModel('llama-3.1-8b');
const opts = { blockSize: 16, gpuMemoryUtilization: 0.9, tensorParallel: 1, activationReserveGiB: 1.5 };
const GIB = 2 ** 30;

describe('KV capacity: Llama-3.1-8B on one H100 at 0.9 utilisation, by hand', () => {
  // Weights: 8,030,261,248 params × 2 B = 16,060,522,496 B (14.96 GiB).
  // Budget: 80 GiB × 0.9 − 1.5 GiB reserve = 70.5 GiB = 75,698,798,592 B, minus the weights
  // = 59,638,276,096 B. A block: 16 tokens × 2 (K,V) × 32 layers × 8 heads × 128 × 2 B = 2 MiB.
  // 59,638,276,096 / 2,097,152 = 28,437.8 → 28,437 blocks, 454,992 tokens.
  test('blocks and tokens', () => {
    const cap = kvCapacity(llama8b, h100, opts);
    expect(cap.weightsGiBPerGpu * GIB).toBe(16_060_522_496);
    expect(cap.kvBudgetGiBPerGpu * GIB).toBeCloseTo(59_638_276_096, 0);
    expect(cap.kvBytesPerBlock).toBe(2_097_152);
    expect(cap.numBlocks).toBe(28_437);
    expect(cap.numTokens).toBe(454_992);
  });

  test('concurrency, max-model-len and prefix sharing', () => {
    const r = capacityReport(llama8b, h100, { ...opts, contextTokens: 8192, prefixHitRate: 0.5 });
    expect(r.usableBlocks).toBe(28_436); // block 0 is the null block
    expect(r.maxConcurrentSeqs).toBe(55); // 28,436 / 512 blocks per 8,192-token sequence
    expect(r.maxModelLenFits).toBe(131_072); // the model's window; the KV would hold 454,976
    // Half of each context (4,096 tokens = 256 blocks) stored once: (28,436 − 256) / 256 = 110.
    expect(r.maxConcurrentSeqsWithPrefix).toBe(110);
    const odd = capacityReport(llama8b, h100, { ...opts, contextTokens: 1000, prefixHitRate: 0.3 });
    // 1000 tokens = 63 blocks; shared ⌊300/16⌋ = 18 full blocks; own ⌈(1000 − 288)/16⌉ = 45.
    expect(odd.maxConcurrentSeqs).toBe(Math.floor(28_436 / 63));
    expect(odd.maxConcurrentSeqsWithPrefix).toBe(Math.floor((28_436 - 18) / 45));
  });

  test('a small GPU memory bounds max-model-len below the model window', () => {
    const r = capacityReport(llama8b, loadGpu('l4'), { ...opts, contextTokens: 4096, prefixHitRate: 0 });
    // L4: 24 × 0.9 − 1.5 − 14.96 = 5.14 GiB of KV = 2,633 blocks.
    expect(r.numBlocks).toBe(Math.floor((21.6 * GIB - 1.5 * GIB - 16_060_522_496) / 2_097_152));
    expect(r.maxModelLenFits).toBe(r.usableBlocks * 16);
    expect(r.maxModelLenFits).toBeLessThan(131_072);
  });
});

describe('tensor parallelism and models that do not fit', () => {
  test('TP splits weights and KV heads; KV heads are replicated past their count', () => {
    const m = loadModel('llama-3.1-70b');
    const tp4 = kvCapacity(m, h100, { ...opts, tensorParallel: 4 });
    // 80 layers × 2 heads per rank × 128 × 2 (K,V) × 2 B × 16 tokens per block per GPU.
    expect(tp4.kvBytesPerBlock).toBe(4 * 80 * 2 * 128 * 2 * 2 * 16);
    const tp16 = kvCapacity(m, h100, { ...opts, tensorParallel: 16 });
    expect(tp16.kvBytesPerBlock).toBe(16 * 80 * 1 * 128 * 2 * 2 * 16);
  });

  test('the shortfall says by how much and which TP degree fits', () => {
    const m = loadModel('llama-3.1-70b');
    expect(fitShortfall(llama8b, h100, opts)).toBeUndefined();
    const s = fitShortfall(m, h100, opts)!;
    expect(s.weightsGiBPerGpu).toBeCloseTo((70_553_706_496 * 2) / GIB, 6);
    expect(s.usableGiBPerGpu).toBeCloseTo(70.5, 9);
    expect(s.shortGiBPerGpu).toBeCloseTo(s.weightsGiBPerGpu + (2 * 327_680 * 16) / GIB - 70.5, 9);
    expect(s.minTensorParallel).toBe(2);
    expect(shortfallMessage(m, h100, opts, s)).toMatch(/short by 60\.9 GiB per GPU .*tensorParallel 2 fits/);
    expect(fitShortfall(m, loadGpu('l4'), opts)!.minTensorParallel).toBe(8);
  });
});
