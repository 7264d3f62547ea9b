export type { Clock, Rng, TimerId, BlockHash, InstanceView, RouteRequest, RouteDecision, RoutingPolicy } from './types.js';
export { ROUTE_REQUEST_KEYS } from './types.js';
export { definePolicy, instantiate, noOptions, type PolicyFactory, type PolicyRegistry, type PolicyRef, type PolicyContext } from './registry.js';
export { ROUTING_POLICIES } from './routing/index.js';
export { SCHEDULING_POLICIES } from './scheduling/index.js';
export { EVICTION_POLICIES } from './kv/index.js';
export { RECOVERY_POLICIES } from './recovery/index.js';
