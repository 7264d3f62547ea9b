import type { DeclaredHints } from '../types.js';
import { hashBlocks, hashString } from '../kv/hash.js';
import type { SchedRequest } from './types.js';

const BS = 16;

/** A scheduler request for tests; `outputTokens` is what the test engine will generate (never shown to the policy). */
export function schedRequest(id: string, seq: number, arrivalUs: number, opts: { promptTokens?: number; wf?: string; priority?: number; hints?: DeclaredHints } = {}): SchedRequest & { outputTokens: number } {
  const promptTokens = opts.promptTokens ?? 64;
  const outputTokens = 4;
  const runs = [
    { key: hashString(`ctx:${opts.wf ?? id}`), start: 0, length: Math.min(48, promptTokens) },
    { key: hashString(`task:${id}`), start: 0, length: Math.max(0, promptTokens - 48) + outputTokens },
  ];
  return {
    id, promptTokens, arrivalUs, seq, numTokens: promptTokens, numComputedTokens: 0, blockHashes: hashBlocks(runs, BS), blocks: [],
    numCachedBlocks: 0, preemptions: 0, priority: opts.priority ?? 0, workflowId: opts.wf, agentId: undefined,
    numOutputTokens: 0, status: 'waiting', numScheduledTokens: 0, numCachedTokens: -1, crossAgentCachedTokens: 0,
    hints: opts.hints, outputTokens,
  };
}
