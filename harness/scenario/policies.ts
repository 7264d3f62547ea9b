import type { PolicyJson } from '../../reports/report.js';
import { InputError } from '../../workloads/input-error.js';
import { refLabel } from './policy-ref.js';
import type { PolicyRef } from '../../policies/registry.js';
import type { PolicyEntry } from './schema.js';
import { disaggregationLabel, kvTiersLabel } from './kv-tiers.js';

/** A policy entry with its display name. */
export interface NamedPolicy {
  readonly name: string;
  readonly entry: PolicyEntry;
  readonly json: PolicyJson;
}

/**
 * Name each policy: its `name`, else the routing label plus any non-default scheduling,
 * eviction or recovery (`least-loaded+priority`, `round-robin+retry-call`). Names must be unique.
 */
export function namePolicies(entries: readonly PolicyEntry[], file: string): NamedPolicy[] {
  const out: NamedPolicy[] = [];
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    let name = e.name;
    if (name === undefined) {
      name = refLabel(e.routing);
      const hasGiven = (r: PolicyRef) => Object.keys(r.given ?? r.options).length > 0;
      if (e.scheduling.kind !== 'fcfs' || hasGiven(e.scheduling)) name += `+${refLabel(e.scheduling)}`;
      if (e.eviction.kind !== 'lru' || hasGiven(e.eviction)) name += `+${refLabel(e.eviction)}`;
      // Recovery options are shown in report.json's policy list, not in the name (their defaults
      // would make it long); two entries differing only in them need a `name:`.
      if (e.recovery.kind !== 'fail-workflow') name += `+${e.recovery.kind}`;
      if (e.kvTiers?.cpu) name += '+cpu-tier';
      if (e.kvTiers?.remote) name += '+remote-tier';
      if (e.disaggregation) name += `+pd${e.disaggregation.prefillInstances}p`;
    }
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new InputError([`${file}: policies[${i}]: duplicate policy name '${name}' (also policies[${prev}]); give one a \`name:\``]);
    }
    seen.set(name, i);
    out.push({
      name, entry: e,
      json: {
        name, routing: refLabel(e.routing), scheduling: refLabel(e.scheduling), eviction: refLabel(e.eviction), recovery: refLabel(e.recovery),
        ...(e.kvTiers ? { kvTiers: kvTiersLabel(e.kvTiers) } : {}),
        ...(e.disaggregation ? { disaggregation: disaggregationLabel(e.disaggregation) } : {}),
      },
    });
  });
  return out;
}
