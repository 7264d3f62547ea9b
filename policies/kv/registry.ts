import type { PolicyRegistry } from '../registry.js';
import type { EvictionPolicy } from './eviction/types.js';
import { lruFactory } from './eviction/lru.js';
import { stepsToExecutionFactory } from './eviction/steps-to-execution.js';
import { toolTtlFactory } from './eviction/tool-ttl.js';
import { workflowAwareEvictionFactory } from './eviction/workflow-aware.js';

/** Every KV eviction policy by the name scenarios use. */
export const EVICTION_POLICIES = {
  lru: lruFactory,
  'workflow-aware': workflowAwareEvictionFactory,
  'steps-to-execution': stepsToExecutionFactory,
  'tool-ttl': toolTtlFactory,
} satisfies PolicyRegistry<EvictionPolicy>;
