import type { ConformanceCheck } from '../../policies/conformance.js';
import { ROUTING_CHECKS } from '../../policies/routing/conformance.js';
import { SCHEDULING_CHECKS } from '../../sim/conformance/scheduling.js';
import { EVICTION_CHECKS } from '../../sim/conformance/eviction.js';
import type { PolicyRef } from '../../policies/registry.js';
import { pathLabel } from '../../reports/found.js';
import type { Scenario } from '../scenario/schema.js';
import { instantiatePolicy, policyRefsOf, SLOT_WHAT, type PolicySlot, type SlotPolicy } from '../scenario/policy-modules.js';

/** The conformance checks of each policy interface: the same list the vitest suites run for the built-in policies. */
export const CONFORMANCE_CHECKS: { readonly [S in PolicySlot]: readonly ConformanceCheck<SlotPolicy[S]>[] } = {
  routing: ROUTING_CHECKS, scheduling: SCHEDULING_CHECKS, eviction: EVICTION_CHECKS,
};

/** One check's outcome. */
export type CheckOutcome =
  | { readonly title: string; readonly status: 'passed' }
  | { readonly title: string; readonly status: 'failed'; readonly message: string }
  | { readonly title: string; readonly status: 'skipped'; readonly key: string };

/**
 * Run every conformance check of `slot` on fresh policies from `make`; checks whose skip key is
 * in `skip` are reported as skipped. A check that throws anything fails with its message.
 */
export function runConformance<S extends PolicySlot>(slot: S, make: () => SlotPolicy[S], skip: ReadonlySet<string> = new Set()): CheckOutcome[] {
  return (CONFORMANCE_CHECKS[slot] as readonly ConformanceCheck<SlotPolicy[S]>[]).map((c): CheckOutcome => {
    if (c.skippable !== undefined && skip.has(c.skippable)) return { title: c.title, status: 'skipped', key: c.skippable };
    try {
      c.run(make);
      return { title: c.title, status: 'passed' };
    } catch (e) {
      return { title: c.title, status: 'failed', message: (e as Error).message };
    }
  });
}

/** The skip keys of a slot's checks (`check-policy --skip`). */
export function skipKeys(slot: PolicySlot): string[] {
  return [...new Set(CONFORMANCE_CHECKS[slot].flatMap((c) => (c.skippable ? [c.skippable] : [])))];
}

/**
 * `run --check` with user policy modules: each module reference (per interface and options) must
 * pass the conformance checks the built-in policies pass in the test suite, before any cell runs.
 * Returns one line per failed check (none when all pass).
 */
export function moduleConformanceFailures(scenarios: readonly Scenario[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const sc of scenarios) {
    for (const { path, slot, node } of policyRefsOf(sc)) {
      const ref = node as unknown as PolicyRef;
      if (ref.module === undefined) continue;
      const key = JSON.stringify([slot, ref.module, ref.options, sc.cluster.blockSize]);
      if (seen.has(key)) continue;
      seen.add(key);
      const make = () => instantiatePolicy(slot, ref, { blockSize: sc.cluster.blockSize });
      for (const r of runConformance(slot, make as () => SlotPolicy[PolicySlot])) {
        if (r.status === 'failed') out.push(`${pathLabel(path)}: ${SLOT_WHAT[slot]} module ${ref.kind} fails conformance check '${r.title}': ${r.message}`);
      }
    }
  }
  return out;
}
