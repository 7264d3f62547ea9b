import { describe, it } from 'vitest';
import type { RoutingPolicy } from '../types.js';
import { ROUTING_CHECKS } from './conformance.js';

export { request, view } from './conformance.js';

/** Options of the routing conformance suite; every skip must say why. */
export interface RoutingSuiteOptions {
  make(): RoutingPolicy;
  skip?: Partial<Record<'determinism' | 'spreads', { reason: string }>>;
}

/** The conformance suite every routing policy runs (Hono-style): the checks of conformance.ts. */
export function runRoutingSuite(name: string, opts: RoutingSuiteOptions): void {
  describe(`routing conformance: ${name}`, () => {
    for (const c of ROUTING_CHECKS) {
      it.skipIf(c.skippable !== undefined && opts.skip?.[c.skippable] !== undefined)(c.title, () => c.run(opts.make));
    }
  });
}
