import type { BlockHash, DeclaredHints } from '../types.js';

/** Who is using a block (recorded for eviction policies that look at workflows or agents). */
export interface BlockOwner {
  readonly workflowId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly priority: number;
  /** Declared hint: µs until this owner is expected to run again (NaN if unknown). */
  readonly expectedReuseUs?: number | undefined;
  /** Declared hints of the call (steps to the agent's next call, tool wait after it...). */
  readonly hints?: DeclaredHints | undefined;
}

/**
 * What a request carries to pull its prompt's KV from another instance (vLLM's
 * `kv_transfer_params` with `do_remote_prefill`, as the NIXL connector reads them): the
 * instance that ran its prefill. Consumed by the first load; after a preemption the request
 * recomputes (vLLM clears do_remote_prefill in update_state_after_alloc).
 */
export interface KvTransferParams {
  readonly remoteInstance: string;
}

/** The part of a request the KV cache manager reads and writes. */
export interface KvRequest extends BlockOwner {
  readonly id: string;
  /** Prompt tokens plus tokens generated so far (vLLM's request.num_tokens). */
  numTokens: number;
  numComputedTokens: number;
  /** Chained hashes of every full block the request will ever have (prompt and output). */
  readonly blockHashes: readonly BlockHash[];
  /** Blocks held, in sequence order (vLLM's req_to_blocks). */
  readonly blocks: number[];
  /** How many of `blocks` are in the prefix cache (vLLM's num_cached_block). */
  numCachedBlocks: number;
  /** Times the request was preempted. */
  preemptions: number;
  /** Pull the prompt's KV from this instance (disaggregated prefill); null once consumed. */
  kvTransfer?: KvTransferParams | null | undefined;
}
