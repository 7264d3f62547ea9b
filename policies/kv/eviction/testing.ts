import type { BlockInfo } from './types.js';

/**
 * A BlockInfo of `n` blocks for eviction-policy tests: no references, last access 0, priority 0,
 * no declared hints (NaN), no agent. `cached`: block b holds a cached block with hash b + 1 (else
 * NaN, uncached). `workflowOf`: the workflow of each block's last user (default: none).
 */
export function testBlockInfo(n: number, opts: { cached?: boolean; workflowOf?: (block: number) => string | undefined } = {}): BlockInfo {
  return {
    numBlocks: n,
    refCount: new Int32Array(n),
    hash: opts.cached ? Float64Array.from({ length: n }, (_, i) => i + 1) : new Float64Array(n).fill(NaN),
    lastAccessUs: new Float64Array(n),
    priority: new Float64Array(n),
    expectedReuseUs: new Float64Array(n).fill(NaN),
    stepsToReuse: new Float64Array(n).fill(NaN),
    toolWaitUs: new Float64Array(n).fill(NaN),
    workflowId: opts.workflowOf ?? (() => undefined),
    agentId: () => undefined,
  };
}
