import { clusterSchema, policyEntrySchema } from '../scenario/schema.js';
import { workloadSchema, type WorkloadSpec } from '../../workloads/workload.js';
import { faultSchema, routerSchema } from '../../sim/faults/spec.js';
import { resolveCluster, type ResolvedCluster } from './resolve.js';
import { runSimCell, type CellResult, type SimCellSpec } from './sim-cell.js';

/** A resolved cluster from a partial `cluster:` section (validated like a scenario's). */
export function testCluster(over: Record<string, unknown> = {}): ResolvedCluster {
  return resolveCluster(clusterSchema.parse({ instances: 1, ...over }), 'test.yaml');
}

/** A workload from a partial YAML-like object (validated like a scenario's). */
export function testWorkload(over: Record<string, unknown>): WorkloadSpec {
  return workloadSchema.parse({ name: 'w', workflows: 1, arrivals: { kind: 'constant', ratePerSec: 1 }, ...over }) as WorkloadSpec;
}

/** Run one cell with invariant checks on. */
export function runTestCell(o: {
  cluster?: Record<string, unknown>;
  workload: Record<string, unknown>;
  policy?: Record<string, unknown>;
  seed?: number;
  costModel?: SimCellSpec['costModel'];
  /** `faults:` entries and a `router:` section, as a scenario writes them. */
  faults?: unknown[];
  router?: Record<string, unknown>;
  /** Add the KV-tier / disaggregation metrics to the summary. */
  kvMetrics?: boolean;
  percentileMethod?: SimCellSpec['percentileMethod'];
}): CellResult {
  return runSimCell({
    cluster: testCluster(o.cluster),
    workload: testWorkload(o.workload),
    policy: policyEntrySchema.parse({ routing: 'round-robin', ...o.policy }),
    seed: o.seed ?? 1,
    check: true,
    maxSimUs: 3600e6,
    maxEvents: 10_000_000,
    sampleIntervalUs: 1e6,
    costModel: o.costModel,
    kvMetrics: o.kvMetrics,
    percentileMethod: o.percentileMethod,
    ...(o.faults ? { faults: o.faults.map((f) => faultSchema.parse(f)) } : {}),
    ...(o.router || o.faults ? { router: routerSchema.parse(o.router ?? {}) } : {}),
  });
}

/** Most workflows in flight at once, from [start, end] intervals (an end at t frees before a start at t). */
export function maxInFlight(intervals: readonly { startUs: number; endUs: number }[]): number {
  const ev = intervals.flatMap((w) => [[w.startUs, 1], [w.endUs, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let most = 0;
  for (const [, d] of ev) most = Math.max(most, (n += d));
  return most;
}
