import { getHeapStatistics } from 'node:v8';
import { hashBlocks, hashString } from '../../policies/kv/hash.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { RooflineCostModel } from '../../sim/cost-model/roofline.js';
import { loadGpu, loadModel } from '../../sim/cost-model/catalog/index.js';
import type { EngineListener } from '../../sim/engine/engine-request.js';

/**
 * Heap bytes allocated per generated token on the engine's hot path (schedule → cost model →
 * apply step → KV block growth), measured as used-heap growth across decode steps between two
 * forced GCs (needs `node --expose-gc`). Prints bytes/token and bytes/step; per-block work
 * (a new block every 16 tokens) is included, so small non-zero figures are expected.
 */
function main(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const seqs = 256;
  const engine = new EngineCore(
    { numBlocks: 100_000, blockSize: 16, enablePrefixCaching: true, maxModelLen: 32_768, maxNumBatchedTokens: 8192, maxNumSeqs: 1024, longPrefillTokenThreshold: 0 },
    new RooflineCostModel(loadModel('llama-3.1-8b'), loadGpu('h100-sxm')),
    new FcfsPolicy(),
    new LruEviction(),
  );
  let tokens = 0;
  const listener: EngineListener = { onToken: () => { tokens++; }, onFinished: () => {} };
  for (let i = 0; i < seqs; i++) {
    const runs = [{ key: hashString('sys'), start: 0, length: 512 }, { key: hashString(`u${i}`), start: 0, length: 256 }, { key: hashString(`o${i}`), start: 0, length: 6000 }];
    engine.add({ id: `r${i}`, promptTokens: 768, blockHashes: hashBlocks(runs, 16), outputTokens: 6000, listener }, 0);
  }
  let now = 0;
  const step = (): void => {
    const d = engine.beginStep(now);
    if (d === null) throw new Error('idle');
    now += Math.max(1, Math.round(d)); // SimInstance steps in whole µs
    engine.endStep(now);
  };
  for (let i = 0; i < 500; i++) step(); // prefill, then warm the JIT on decode steps
  const measure = (steps: number): { bytesPerToken: number; bytesPerStep: number } => {
    gc();
    const t0 = tokens;
    const h0 = getHeapStatistics().used_heap_size;
    for (let i = 0; i < steps; i++) step();
    const h1 = getHeapStatistics().used_heap_size;
    const dt = tokens - t0;
    return { bytesPerToken: (h1 - h0) / dt, bytesPerStep: (h1 - h0) / steps };
  };
  const runs = [measure(1000), measure(1000), measure(1000)];
  const med = (k: 'bytesPerToken' | 'bytesPerStep') => runs.map((r) => r[k]).sort((a, b) => a - b)[1]!;
  process.stdout.write(
    `engine hot path, ${seqs} decoding sequences, 1000 steps x 3: ` +
    `${med('bytesPerToken').toFixed(2)} heap bytes per token, ${Math.round(med('bytesPerStep'))} per step (median)\n`,
  );
}

main();
