import { addToShape, resetShape, type CostModel, type StepShape } from '../cost-model/types.js';

/**
 * Prefill time of `tokens` tokens after `contextBefore` computed ones, alone on the instance,
 * in chunks of at most `chunkTokens` (the scheduler's token budget), each chunk a step priced
 * by the cost model (rounded like the simulator rounds steps).
 */
export function prefillUs(cost: CostModel, shape: StepShape, contextBefore: number, tokens: number, chunkTokens: number): number {
  let t = 0;
  for (let done = 0; done < tokens;) {
    const n = Math.min(chunkTokens, tokens - done);
    resetShape(shape);
    addToShape(shape, contextBefore + done, n, false, done + n >= tokens);
    t += Math.max(1, Math.round(cost.stepTimeUs(shape)));
    done += n;
  }
  return t;
}

/**
 * Compute time saved by loading `loadTokens` after `localTokens` for a request of `numTokens`:
 * its prefill with those tokens recomputed minus its prefill without them. This is the
 * recompute side of the load rule: a tier hit is loaded only when the transfer (queueing on the
 * link included) lands sooner than this.
 */
export function savedComputeUs(
  cost: CostModel, shape: StepShape, localTokens: number, loadTokens: number, numTokens: number, chunkTokens: number,
): number {
  return prefillUs(cost, shape, localTokens, numTokens - localTokens, chunkTokens)
    - prefillUs(cost, shape, localTokens + loadTokens, numTokens - localTokens - loadTokens, chunkTokens);
}
