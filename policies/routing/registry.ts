import type { PolicyRegistry } from '../registry.js';
import type { RoutingPolicy } from '../types.js';
import { cacheAwareFactory } from './cache-aware.js';
import { costFactory } from './cost.js';
import { kvAwareFactory } from './kv-aware.js';
import { leastLoadedFactory } from './least-loaded.js';
import { powerOfTwoFactory } from './power-of-two.js';
import { prefixAwareFactory } from './prefix-aware.js';
import { randomFactory } from './random.js';
import { roundRobinFactory } from './round-robin.js';
import { scoredFactory } from './scored.js';
import { sessionFactory } from './session.js';
import { vllmDpFactory } from './vllm-dp.js';
import { workflowAwareFactory } from './workflow-aware.js';

/** Every routing policy by the name scenarios use. */
export const ROUTING_POLICIES = {
  'round-robin': roundRobinFactory,
  random: randomFactory,
  'least-loaded': leastLoadedFactory,
  'vllm-dp': vllmDpFactory,
  'power-of-two': powerOfTwoFactory,
  session: sessionFactory,
  'prefix-aware': prefixAwareFactory,
  'kv-aware': kvAwareFactory,
  'cache-aware': cacheAwareFactory,
  scored: scoredFactory,
  cost: costFactory,
  'workflow-aware': workflowAwareFactory,
} satisfies PolicyRegistry<RoutingPolicy>;
