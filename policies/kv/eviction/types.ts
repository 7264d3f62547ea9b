/**
 * Per-block facts the block pool keeps and an eviction policy may read. Struct-of-arrays,
 * indexed by block id; owned and written by the pool, read-only to policies.
 */
export interface BlockInfo {
  readonly numBlocks: number;
  readonly refCount: Int32Array;
  /** Hash of the cached full block, NaN when the block is not in the prefix cache. */
  readonly hash: Float64Array;
  /** Last time a request allocated, hit or freed the block. */
  readonly lastAccessUs: Float64Array;
  /** Scheduling priority of the last request that used the block (vLLM: lower = sooner). */
  readonly priority: Float64Array;
  /** Declared hint: microseconds until the block's owner is expected to run again (NaN: none). */
  readonly expectedReuseUs: Float64Array;
  /** Declared hint: LLM steps until the owner's prefix is next used (KVFlow); Infinity: never again; NaN: nothing declared. */
  readonly stepsToReuse: Float64Array;
  /** Declared hint: expected µs of the tool wait after the owner's call (Continuum; NaN: no tool follows). */
  readonly toolWaitUs: Float64Array;
  /** Workflow id of the last request that used the block. */
  workflowId(block: number): string | undefined;
  /** Agent id of the last request that used the block. */
  agentId(block: number): string | undefined;
}

/**
 * Chooses which free block to hand out next. The pool calls it with vLLM's order of events;
 * the set it manages is exactly the blocks with ref count 0 (cached or not), so any policy
 * conserves blocks and never evicts a block in use. `lru` reproduces vLLM's free queue.
 */
export interface EvictionPolicy {
  readonly name: string;
  /** All usable blocks start free; `blockIds` is in the pool's initial order. */
  init(blockIds: readonly number[], info: BlockInfo): void;
  /** A block's ref count reached 0. Blocks of one request arrive in vLLM's free order. */
  onFree(blockId: number, nowUs: number): void;
  /** A prefix-cache hit took a free block back into use: it leaves the free set. */
  onTouch(blockId: number): void;
  /** Remove and return the block to allocate next (the pool evicts its cached hash, if any). */
  popFree(nowUs: number): number;
  /** Number of blocks in the free set. */
  readonly size: number;
  /** Counters of the policy's decisions, summed over instances into the run summary as `eviction.<key>`. */
  stats?(): Record<string, number>;
}
