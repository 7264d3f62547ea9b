import { definePolicy, noOptions } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, healthyIndices, queueLoad } from './helpers.js';

/**
 * Power of two choices (Mitzenmacher; SGLang router `power_of_two`): draw two distinct healthy
 * instances at random and send the request to the less loaded one (running + waiting), the
 * first drawn on a tie.
 */
export class PowerOfTwoPolicy implements RoutingPolicy {
  readonly name = 'power-of-two';

  route(_req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const healthy = healthyIndices(instances);
    if (healthy.length === 0) return NO_HEALTHY;
    if (healthy.length === 1) return instances[healthy[0]!]!.id;
    const a = rng.int(healthy.length);
    let b = rng.int(healthy.length - 1);
    if (b >= a) b++;
    const va = instances[healthy[a]!]!;
    const vb = instances[healthy[b]!]!;
    return queueLoad(va) <= queueLoad(vb) ? va.id : vb.id;
  }
}

/** Registry entry for `routing: power-of-two`. */
export const powerOfTwoFactory = definePolicy({
  summary: 'the less loaded of two random healthy instances (SGLang power_of_two)',
  options: noOptions,
  make: () => new PowerOfTwoPolicy(),
});
