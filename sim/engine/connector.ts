import type { BlockHash } from '../../policies/types.js';
import type { KvRequest } from '../../policies/kv/request.js';


/**
 * The scheduler side of vLLM v1's KV connector (vllm/distributed/kv_transfer/kv_connector/v1/
 * base.py, KVConnectorBase_V1), reduced to what the simulator prices. The scheduler calls it
 * the way vllm/v1/core/sched/scheduler.py does: for a waiting request with nothing computed,
 * after the local prefix lookup, `matchedTokens` (get_num_new_matched_tokens) says how many
 * further prompt tokens an external store can provide; if any, blocks are allocated (for the
 * whole prompt: see V1Scheduler) without caching them (delay_cache_blocks), `startLoad`
 * (update_state_after_alloc + the worker's start_load_kv) starts the transfer, and the request
 * waits, outside the running batch, until the load is done (WAITING_FOR_REMOTE_KVS; loads are
 * asynchronous, as in vLLM's OffloadingConnector and NixlConnector). The scheduler then caches
 * the loaded blocks and schedules the rest of the prompt. Implementations are deterministic.
 */
export interface KvConnector {
  /**
   * Prompt tokens beyond the `localTokens` already cached on the GPU that can be loaded
   * instead of computed (0: none). vLLM may ask again for the same request when its
   * allocation fails, so a new call supersedes the previous one. When the load covers the
   * whole request, the scheduler still recomputes its last token (its logits are needed).
   */
  matchedTokens(req: KvRequest, localTokens: number, nowUs: number): number;
  /** Start loading `externalTokens` after `localTokens`; returns the µs the load completes. */
  startLoad(req: KvRequest, localTokens: number, externalTokens: number, nowUs: number): number;
  /** The load of `req` ended (done, or the request was aborted while loading: `ok` false). */
  finishLoad(req: KvRequest, ok: boolean, nowUs: number): void;
  /** Full blocks [fromBlock, toBlock) of `req` were computed by the step that ended at `nowUs` (save_kv_layer). */
  onBlocksComputed?(req: KvRequest, fromBlock: number, toBlock: number, nowUs: number): void;
  /** A cached GPU block lost its cache identity to make room (the block pool's eviction). */
  onEvicted?(hash: BlockHash, block: number, nowUs: number): void;
}
