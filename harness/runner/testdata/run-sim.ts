// Test helper: run one workload through the simulator with invariant checks on.
import { TESTDATA } from '../../../workloads/testdata/specs.js';
import type { WorkloadSpec } from '../../../workloads/workload.js';
import { runSimCell, type CellResult } from '../sim-cell.js';
import { resolveCluster } from '../resolve.js';
import { clusterSchema, policyEntrySchema } from '../../scenario/schema.js';

/** Simulate a workload on 2 instances (Llama-3.1-8B, H100), checks on. */
export function simulate(spec: WorkloadSpec, seed = 1, instances = 2): CellResult {
  const cluster = resolveCluster(clusterSchema.parse({ instances }), 'test.yaml');
  return runSimCell({
    cluster, workload: spec, policy: policyEntrySchema.parse({ routing: 'round-robin' }), seed, check: true,
    maxSimUs: 3600e6, maxEvents: 50_000_000, sampleIntervalUs: 1e6, baseDir: TESTDATA,
  });
}
