export { ROUTING_POLICIES } from './registry.js';
export { RoundRobinPolicy } from './round-robin.js';
export { LeastLoadedPolicy } from './least-loaded.js';
export { NO_HEALTHY, argminHealthy, queueLoad } from './helpers.js';
