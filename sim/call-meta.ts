import type { BlockHash, RouteRequest } from '../policies/types.js';
import type { CallMeta } from '../workloads/backend.js';
import type { EngineListener, EngineRequestSpec } from './engine/engine-request.js';

export type { CallMeta };

/** The prompt as a router sees it. */
export interface RoutedPrompt {
  /** Chained hashes of the prompt's full blocks. */
  readonly promptBlocks: readonly BlockHash[];
  readonly promptTokens: number;
}

/**
 * The one mapping from a call to the RouteRequest a routing policy reads (simulated router and
 * HTTP router alike). Only declared fields, never a true output length (the oracle boundary):
 * `maxTokens` is the client's cap. Absent fields stay absent (no `undefined` keys).
 */
export function routeRequestOf(id: string, meta: CallMeta, prompt: RoutedPrompt, maxTokens: number, nowUs: number): RouteRequest {
  const r: Record<string, unknown> = { id, promptBlocks: prompt.promptBlocks, promptTokens: prompt.promptTokens, maxTokens, nowUs };
  if (meta.workflowId !== undefined) r['workflowId'] = meta.workflowId;
  if (meta.agentId !== undefined) r['agentId'] = meta.agentId;
  if (meta.parentRequestId !== undefined) r['parentRequestId'] = meta.parentRequestId;
  if (meta.priority !== undefined) r['priority'] = meta.priority;
  if (meta.sessionKey !== undefined) r['sessionKey'] = meta.sessionKey;
  if (meta.hints !== undefined) r['hints'] = meta.hints;
  return r as unknown as RouteRequest;
}

/** The tokens an engine runs for a call. */
export interface EngineTokens {
  readonly promptTokens: number;
  /** Chained hashes of all full blocks of prompt followed by the output. */
  readonly blockHashes: readonly BlockHash[];
  /** The engine's own stop point (EOS or max_tokens): never shown to schedulers or routers. */
  readonly outputTokens: number;
}

/**
 * The one engine-request adapter: what an EngineCore receives for a call, from its metadata,
 * whether the simulated router sends it or the emulated engine's HTTP server parsed it. The
 * scheduling policies (workflow-batching, plas, atlas) read workflow id, agent id, priority and
 * hints from here; the eviction policies (workflow-aware, steps-to-execution, tool-ttl) read
 * them as the owner of each block.
 */
export function engineRequestOf(id: string, meta: CallMeta, tokens: EngineTokens, listener: EngineListener): EngineRequestSpec {
  return {
    id, promptTokens: tokens.promptTokens, blockHashes: tokens.blockHashes, outputTokens: tokens.outputTokens,
    priority: meta.priority, workflowId: meta.workflowId, agentId: meta.agentId, hints: meta.hints,
    expectedReuseUs: meta.expectedReuseUs, listener,
  };
}
