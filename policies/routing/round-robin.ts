import { definePolicy, noOptions } from '../registry.js';
import type { InstanceView, RouteDecision, RoutingPolicy } from '../types.js';
import { NO_HEALTHY } from './helpers.js';

/**
 * Round robin over healthy instances (production-stack RoundRobinRouter:
 * `endpoints[req_id % len(endpoints)]`): the k-th request goes to healthy instance k mod n.
 */
export class RoundRobinPolicy implements RoutingPolicy {
  readonly name = 'round-robin';
  #next = 0;

  route(_req: unknown, instances: readonly InstanceView[]): RouteDecision {
    let healthy = 0;
    for (const v of instances) if (v.healthy) healthy++;
    if (healthy === 0) return NO_HEALTHY;
    let k = this.#next++ % healthy;
    for (const v of instances) {
      if (!v.healthy) continue;
      if (k-- === 0) return v.id;
    }
    return NO_HEALTHY;
  }
}

/** Registry entry for `routing: round-robin`. */
export const roundRobinFactory = definePolicy({
  summary: 'cycle over healthy instances (production-stack roundrobin)',
  options: noOptions,
  make: () => new RoundRobinPolicy(),
});
