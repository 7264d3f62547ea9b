import { definePolicy, noOptions } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, argminHealthy } from './helpers.js';

/**
 * vLLM's data-parallel load balancer (vllm/v1/engine/core_client.py, DPLBAsyncMPClient
 * get_core_engine_for_request): score = 4 × waiting + running, lowest wins. Waiting requests
 * weigh four times a running one because they have not even started their prefill.
 * vLLM breaks ties by engine order; we break them at random so equal engines share load.
 */
export class VllmDpPolicy implements RoutingPolicy {
  readonly name = 'vllm-dp';

  route(_req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const i = argminHealthy(instances, (v) => 4 * v.waiting + v.running, rng);
    return i < 0 ? NO_HEALTHY : instances[i]!.id;
  }
}

/** Registry entry for `routing: vllm-dp`. */
export const vllmDpFactory = definePolicy({
  summary: "vLLM's DP balancer: lowest 4 × waiting + running",
  options: noOptions,
  make: () => new VllmDpPolicy(),
});
