import type { PolicyRegistry } from '../registry.js';
import type { RoutingPolicy } from '../types.js';
import { leastLoadedFactory } from './least-loaded.js';
import { roundRobinFactory } from './round-robin.js';

/** Every routing policy by the name scenarios use. */
export const ROUTING_POLICIES = {
  'round-robin': roundRobinFactory,
  'least-loaded': leastLoadedFactory,
} satisfies PolicyRegistry<RoutingPolicy>;
