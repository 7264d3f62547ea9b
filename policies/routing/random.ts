import { definePolicy, noOptions } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, healthyIndices } from './helpers.js';

/** Random (SGLang router `random`, Dynamo `--router-mode random`): a healthy instance uniformly at random. */
export class RandomPolicy implements RoutingPolicy {
  readonly name = 'random';

  route(_req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const healthy = healthyIndices(instances);
    if (healthy.length === 0) return NO_HEALTHY;
    return instances[healthy[rng.int(healthy.length)]!]!.id;
  }
}

/** Registry entry for `routing: random`. */
export const randomFactory = definePolicy({
  summary: 'a healthy instance uniformly at random (SGLang / Dynamo random)',
  options: noOptions,
  make: () => new RandomPolicy(),
});
