import { describe, it } from 'vitest';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import { EVICTION_CHECKS } from '../conformance/eviction.js';

export { admit, churn, evictionRequest } from '../conformance/eviction.js';

/** Options of the eviction conformance suite; every skip must say why. */
export interface EvictionSuiteOptions {
  make(): EvictionPolicy;
  skip?: Partial<Record<'determinism', { reason: string }>>;
}

/** The conformance suite every eviction policy runs (Hono-style): the checks of sim/conformance/eviction.ts. */
export function runEvictionSuite(name: string, opts: EvictionSuiteOptions): void {
  describe(`eviction conformance: ${name}`, () => {
    for (const c of EVICTION_CHECKS) {
      it.skipIf(c.skippable !== undefined && opts.skip?.[c.skippable] !== undefined)(c.title, () => c.run(opts.make));
    }
  });
}
