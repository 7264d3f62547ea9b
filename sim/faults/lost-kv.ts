import type { SimInstance } from '../cluster/instance.js';
import type { EngineRequest } from '../engine/engine-request.js';

/**
 * Which KV a fault destroyed, and how much of it the cluster prefilled again. A crash or a
 * kv-loss removes an instance's cached blocks; the blocks whose hash is cached on no other
 * live instance are *lost*. When a later request prefills a lost block (anywhere), that block's
 * tokens count once as recomputed: the prefill work the fault cost.
 */
export class LostKvLedger {
  readonly #lost = new Set<number>();
  #recomputedTokens = 0;

  constructor(readonly blockSize: number) {}

  /** Prompt tokens prefilled again because a fault had destroyed their only copy. */
  get recomputedTokens(): number {
    return this.#recomputedTokens;
  }

  /** Lost blocks not recomputed yet. */
  get outstandingBlocks(): number {
    return this.#lost.size;
  }

  /** Note the cached blocks of `inst` as lost (call before its cache is dropped); returns how many. */
  collect(inst: SimInstance, all: readonly SimInstance[]): number {
    const pool = inst.engine.kv.pool;
    const hash = pool.info.hash;
    let n = 0;
    for (let b = 1; b < pool.numBlocks; b++) {
      const h = hash[b]!;
      if (Number.isNaN(h) || this.#lost.has(h)) continue;
      let elsewhere = false;
      for (const o of all) {
        if (o !== inst && o.up && o.engine.kv.pool.getCachedBlock(h) >= 0) {
          elsewhere = true;
          break;
        }
      }
      if (elsewhere) continue;
      this.#lost.add(h);
      n++;
    }
    return n;
  }

  /** A request finished: its prompt blocks past its prefix hit were prefilled. */
  onPrefilled(req: EngineRequest, hashes: readonly number[]): void {
    if (this.#lost.size === 0) return;
    const bs = this.blockSize;
    const to = Math.min(hashes.length, Math.floor(req.promptTokens / bs));
    for (let i = Math.floor(Math.max(0, req.numCachedTokens) / bs); i < to; i++) {
      if (this.#lost.delete(hashes[i]!)) this.#recomputedTokens += bs;
    }
  }
}
