// Test helper: run one workload through the simulator with invariant checks on.
import { fileURLToPath } from 'node:url';
import { runSimCell, type CellResult } from '../../harness/runner/sim-cell.js';
import { resolveCluster } from '../../harness/runner/resolve.js';
import { clusterSchema, policyEntrySchema } from '../../harness/scenario/schema.js';
import { workloadSchema, type WorkloadSpec } from '../workload.js';

/** Folder of the workload fixtures. */
export const TESTDATA = fileURLToPath(new URL('.', import.meta.url));

/** Parse a workload with defaults: name 'w', 4 workflows at 2/s. */
export function workload(raw: Record<string, unknown>): WorkloadSpec {
  return workloadSchema.parse({ name: 'w', workflows: 4, arrivals: { kind: 'poisson', ratePerSec: 2 }, ...raw }) as WorkloadSpec;
}

/** Simulate a workload on 2 instances (Llama-3.1-8B, H100), checks on. */
export function simulate(spec: WorkloadSpec, seed = 1, instances = 2): CellResult {
  const cluster = resolveCluster(clusterSchema.parse({ instances }), 'test.yaml');
  return runSimCell({
    cluster, workload: spec, policy: policyEntrySchema.parse({ routing: 'round-robin' }), seed, check: true,
    maxSimUs: 3600e6, maxEvents: 50_000_000, sampleIntervalUs: 1e6, baseDir: TESTDATA,
  });
}
