import type { PolicyRegistry } from '../registry.js';
import type { EvictionPolicy } from './eviction/types.js';
import { lruFactory } from './eviction/lru.js';

/** Every KV eviction policy by the name scenarios use. */
export const EVICTION_POLICIES = {
  lru: lruFactory,
} satisfies PolicyRegistry<EvictionPolicy>;
