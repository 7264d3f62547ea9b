import { describe, expect, it } from 'vitest';
import { InputError } from '../../workloads/input-error.js';
import { parseScenario } from './load.js';
import { namePolicies } from './policies.js';

const base = (policy: string, extra = '') => `name: k
cluster: { instances: 4 }
policies:
  - routing: kv-aware
${policy}
workloads:
  - { name: s, pattern: sequential, agents: 2, workflows: 3, arrivals: { kind: poisson, ratePerSec: 1 } }
${extra}`;

function problems(policy: string, extra = ''): string[] {
  try {
    parseScenario(base(policy, extra), 'k.yaml');
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('kvTiers and disaggregation keys: validated with file:line:col, expected and found', () => {
  it('accepts tiers and a disaggregation, with defaults, and names the policies after them', () => {
    const ok = parseScenario(base(`    kvTiers: { cpu: { capacityGiB: 40 }, remote: { capacityBlocks: 100000, eviction: workflow-aware } }
  - routing: least-loaded
    disaggregation: { prefillInstances: 1 }`), 'k.yaml');
    const [tiers, pd] = ok.scenario.policies;
    expect(tiers!.kvTiers).toMatchObject({
      cpu: { capacityGiB: 40, latencyUs: 10, write: 'through', eviction: { kind: 'lru' } },
      remote: { capacityBlocks: 100000, bandwidthGBps: 12.5, latencyUs: 100, write: 'through', eviction: { kind: 'workflow-aware' } },
      loadRule: 'cheaper',
    });
    expect(tiers!.kvTiers!.cpu!.bandwidthGBps).toBeUndefined(); // the GPU's PCIe figure, at resolve time
    expect(pd!.disaggregation).toMatchObject({ prefillInstances: 1, prefillRouting: { kind: 'round-robin' }, bandwidthGBps: 50, latencyUs: 10 });
    const named = namePolicies(ok.scenario.policies, 'k.yaml');
    expect(named.map((p) => p.name)).toEqual(['kv-aware+cpu-tier+remote-tier', 'least-loaded+pd1p']);
    expect(named[0]!.json.kvTiers).toBe('cpu 40 GiB through + remote 100000 blk through workflow-aware');
    expect(named[1]!.json.disaggregation).toBe('1 prefill (round-robin), 50 GB/s');
  });

  it('a tier needs exactly one capacity; unknown keys list the valid ones', () => {
    expect(problems('    kvTiers: { cpu: { bandwidthGBps: 20 } }')).toEqual([
      'k.yaml:5:21: policies[0].kvTiers.cpu.capacityBlocks: missing key (expected capacityBlocks or capacityGiB)',
    ]);
    expect(problems('    kvTiers: { cpu: { capacityBlocks: 10, capacityGiB: 1 } }')).toEqual([
      'k.yaml:5:56: policies[0].kvTiers.cpu.capacityGiB: give capacityBlocks or capacityGiB, not both',
    ]);
    expect(problems('    kvTiers: { disk: { capacityBlocks: 10 } }')).toEqual([
      "k.yaml:5:22: policies[0].kvTiers: unknown key 'disk'; valid keys: cpu, remote, loadRule",
      'k.yaml:5:14: policies[0].kvTiers.cpu: missing key (expected cpu and/or remote)',
    ]);
    expect(problems('    kvTiers: { remote: { capacityBlocks: 10, write: back } }')).toEqual([
      'k.yaml:5:53: policies[0].kvTiers.remote.write: expected one of "through", "evict", found string "back"',
    ]);
    expect(problems('    kvTiers: {}')).toEqual(['k.yaml:5:14: policies[0].kvTiers.cpu: missing key (expected cpu and/or remote)']);
  });

  it('disaggregation needs a decode instance left and no faults', () => {
    expect(problems('    disaggregation: { prefillInstances: 4 }')).toEqual([
      'k.yaml:5:41: policies[0].disaggregation.prefillInstances: expected fewer than cluster.instances (4): at least one instance must decode, found 4',
    ]);
    expect(problems('    disaggregation: { prefillInstances: 1, prefillRouting: fastest }')).toEqual([
      expect.stringMatching(/^k\.yaml:5:60: policies\[0\]\.disaggregation\.prefillRouting: unknown routing policy 'fastest'; valid: /),
    ]);
    expect(problems('    disaggregation: { prefillInstances: 2 }', 'faults:\n  - { kind: crash, atS: 3 }')).toEqual([
      'k.yaml:5:21: policies[0].disaggregation: disaggregation cannot be combined with faults yet; run faults with co-located instances',
    ]);
  });

  it('live mode rejects them (simulated only)', () => {
    expect(problems('    kvTiers: { cpu: { capacityBlocks: 10 } }', 'mode: live')).toEqual([
      'k.yaml:5:14: policies[0].kvTiers: KV tiers and disaggregation are simulated only; remove them for mode: live',
    ]);
  });

  it('an inline GPU without a PCIe figure needs the CPU tier bandwidth', () => {
    const yaml = base('    kvTiers: { cpu: { capacityBlocks: 10 } }')
      .replace('cluster: { instances: 4 }', 'cluster: { instances: 4, gpu: { name: G, bf16Tflops: 100, memoryGiB: 80, memoryBandwidthGBps: 2000, interconnectGBps: 100 } }');
    expect(() => parseScenario(yaml, 'k.yaml')).toThrow(/policies\[0\]\.kvTiers\.cpu\.bandwidthGBps: missing key: the inline cluster\.gpu has no pcieGBps/);
  });
});
