import { describe, it } from 'vitest';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import { SCHEDULING_CHECKS } from '../conformance/scheduling.js';

export { drive, schedRequest } from '../conformance/scheduling.js';

/** Options of the scheduling conformance suite; every skip must say why. */
export interface SchedulingSuiteOptions {
  make(): SchedulingPolicy;
  skip?: Partial<Record<'determinism', { reason: string }>>;
}

/** The conformance suite every scheduling policy runs (Hono-style): the checks of sim/conformance/scheduling.ts. */
export function runSchedulingSuite(name: string, opts: SchedulingSuiteOptions): void {
  describe(`scheduling conformance: ${name}`, () => {
    for (const c of SCHEDULING_CHECKS) {
      it.skipIf(c.skippable !== undefined && opts.skip?.[c.skippable] !== undefined)(c.title, () => c.run(opts.make));
    }
  });
}
