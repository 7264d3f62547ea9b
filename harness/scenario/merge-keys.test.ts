import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';

describe('YAML merge keys', () => {
  it('`<<: *base` shares one workload\'s settings with another, the later keys winning', () => {
    const { scenario } = parseScenario(`name: m
cluster: { instances: 1 }
policies: [{ routing: round-robin }]
workloads:
  - &base { name: a, pattern: sequential, agents: 2, workflows: 3, arrivals: { kind: poisson, ratePerSec: 1 } }
  - <<: *base
    name: b
    workflows: 5
`, 'm.yaml');
    expect(scenario.workloads.map((w) => [w.name, (w as { workflows?: number }).workflows, w.pattern])).toEqual([['a', 3, 'sequential'], ['b', 5, 'sequential']]);
  });
});
