export { KvCacheManager, type KvRequest, type KvCacheConfig, type PrefixCacheStats } from './kv-cache-manager.js';
export { BlockPool, type BlockOwner } from './block-pool.js';
export type { EvictionPolicy, BlockInfo } from './eviction/types.js';
export { LruEviction } from './eviction/lru.js';
export { hashBlocks, hashString, hashNumbers, rootHash, runTokens, type TokenRun } from './hash.js';
export { EVICTION_POLICIES } from './registry.js';
export { WorkflowAwareEviction } from './eviction/workflow-aware.js';
export { StepsToExecutionEviction } from './eviction/steps-to-execution.js';
export { ToolTtlEviction } from './eviction/tool-ttl.js';
