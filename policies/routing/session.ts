import { z } from 'zod';
import { definePolicy } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { HashRing } from './hash-ring.js';
import { NO_HEALTHY, argminHealthy, queueLoad } from './helpers.js';

/**
 * Session affinity (production-stack SessionRouter, routing_logic.py): the session key (a
 * header or body field such as `x-user-id`, which the live router copies into
 * RouteRequest.sessionKey) is consistently hashed over the healthy instances, so a session's
 * calls reuse one instance's prefix cache and an instance loss moves only its own sessions.
 * Without a key production-stack picks the lowest-QPS instance; we pick the least loaded
 * (running + waiting), the same idea measured on the queue.
 */
export class SessionPolicy implements RoutingPolicy {
  readonly name = 'session';
  readonly #virtualNodes: number;
  #ring: HashRing | undefined;
  #ringKey = '';
  #hashed = 0;
  #fallbacks = 0;

  constructor(virtualNodes: number) {
    this.#virtualNodes = virtualNodes;
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    if (req.sessionKey === undefined) {
      const i = argminHealthy(instances, queueLoad, rng);
      if (i < 0) return NO_HEALTHY;
      this.#fallbacks++;
      return instances[i]!.id;
    }
    const ring = this.#ringFor(instances);
    const id = ring.get(req.sessionKey);
    if (id === undefined) return NO_HEALTHY;
    this.#hashed++;
    return id;
  }

  stats(): Record<string, number> {
    return { hashed: this.#hashed, fallbacks: this.#fallbacks };
  }

  // production-stack rebuilds its ring from the current endpoint list on every request; we
  // rebuild only when the healthy set changes.
  #ringFor(instances: readonly InstanceView[]): HashRing {
    let key = '';
    for (const v of instances) if (v.healthy) key += `${v.id}\u0000`;
    if (!this.#ring || key !== this.#ringKey) {
      this.#ring = new HashRing(instances.filter((v) => v.healthy).map((v) => v.id), this.#virtualNodes);
      this.#ringKey = key;
    }
    return this.#ring;
  }
}

/** Registry entry for `routing: session`. */
export const sessionFactory = definePolicy({
  summary: 'consistent hashing of the session key, least loaded without one (production-stack session)',
  options: z.strictObject({
    /** Points per instance on the hash ring (uhashring / SGLang default 160). */
    virtualNodes: z.int().positive().max(10_000).default(160),
  }),
  make: (o) => new SessionPolicy(o.virtualNodes),
});
