import { definePolicy, noOptions } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, argminHealthy, queueLoad } from './helpers.js';

/** Least loaded: the healthy instance with the fewest running + waiting requests; random tie-break. */
export class LeastLoadedPolicy implements RoutingPolicy {
  readonly name = 'least-loaded';

  route(_req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const i = argminHealthy(instances, queueLoad, rng);
    return i < 0 ? NO_HEALTHY : instances[i]!.id;
  }
}

/** Registry entry for `routing: least-loaded`. */
export const leastLoadedFactory = definePolicy({
  summary: 'fewest running + waiting requests, random tie-break',
  options: noOptions,
  make: () => new LeastLoadedPolicy(),
});
