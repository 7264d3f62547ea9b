import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { checkClusterFits, simMemoryBytes } from './cluster-fit.js';
import { resolveCluster } from './resolve.js';

const cluster = (yaml: string) => {
  const sc = parseScenario(`name: fit
cluster: ${yaml}
policies: [ { routing: round-robin } ]
workloads: [ { name: w, pattern: sequential, agents: 1, workflows: 1, arrivals: { kind: poisson, ratePerSec: 1 } } ]
`, 'fit.yaml').scenario;
  return { spec: sc.cluster, resolved: resolveCluster(sc.cluster, 'fit.yaml') };
};

describe('checkClusterFits', () => {
  it('refuses 4096 default H100 instances on a 16 GiB machine, with the estimate', () => {
    const { spec, resolved } = cluster('{ instances: 4096 }');
    expect(simMemoryBytes(4096, 28437)).toBe(4096 * (28437 * 96 + 262144));
    expect(() => checkClusterFits(spec, resolved, 'fit.yaml', { totalBytes: 16 * 1024 ** 3 })).toThrow(
      'fit.yaml: cluster: 4,096 instances × 28,437 KV blocks need about 11.4 GiB of host memory to simulate (96 B per block); ' +
      'this machine has 16.0 GiB and a run may use 50% of it. Use fewer instances or set cluster.kvBlocks lower');
  });

  it('accepts the same cluster with small KV, and kvBlocks within the GPU', () => {
    const { spec, resolved } = cluster('{ instances: 4096, kvBlocks: 400 }');
    expect(checkClusterFits(spec, resolved, 'fit.yaml', { totalBytes: 16 * 1024 ** 3 })).toEqual([]);
  });
});
