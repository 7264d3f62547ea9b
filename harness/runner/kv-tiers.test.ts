import { describe, expect, it } from 'vitest';
import { runTestCell } from './testing.js';

const agents = {
  pattern: 'parallel', workers: 3, workflows: 6, arrivals: { kind: 'poisson', ratePerSec: 4 },
  systemTokens: 300, contextTokens: { dist: 'uniform', min: 800, max: 2000 }, taskTokens: 60,
  outputTokens: { dist: 'lognormal', mean: 80, std: 30 },
};
const cluster = { instances: 4, kvBlocks: 3000 };

describe('simulated cells with KV tiers and disaggregation', () => {
  it('disaggregated requests conserve tokens across the transfer (same calls as co-located)', () => {
    const colo = runTestCell({ cluster, workload: agents, policy: { routing: 'least-loaded' }, kvMetrics: true });
    const pd = runTestCell({ cluster, workload: agents, policy: { routing: 'least-loaded', disaggregation: { prefillInstances: 2 } }, kvMetrics: true });
    const key = (rs: typeof colo.requests) => new Map([...rs].map((r) => [r.id, `${r.outcome} ${r.promptTokens} ${r.outputTokens}`]));
    expect(pd.requests.length).toBe(colo.requests.length);
    expect(key(pd.requests)).toEqual(key(colo.requests));
    expect(pd.requests.rows().every((r) => r.outcome === 'ok' && (r.instance === 'i2' || r.instance === 'i3'))).toBe(true);
    // Each request: one discarded token on a prefill instance, all its output on a decode instance.
    const [p0, p1, d0, d1] = pd.instances;
    const n = pd.requests.length;
    expect(p0!.requestsFinished + p1!.requestsFinished).toBe(n);
    expect(p0!.decodeTokens + p1!.decodeTokens).toBe(0);
    expect(d0!.requestsFinished + d1!.requestsFinished).toBe(n);
    const outputs = pd.requests.rows().reduce((s, r) => s + r.outputTokens, 0);
    expect(d0!.decodeTokens + d1!.decodeTokens).toBe(outputs - n);
    // Every prompt token prefilled on the prefill pool that the decode pool did not have cached
    // locally; the decode pool recomputes one token per request (the last prompt token).
    expect(d0!.prefillTokens + d1!.prefillTokens).toBeGreaterThanOrEqual(n);
    const s = pd.summary;
    expect(s['pdTransferMsP50']).toBeGreaterThan(0);
    expect(s['pdTransferGiB']).toBeGreaterThan(0);
    expect(s['utilPrefillPool']).toBeGreaterThan(0);
    expect(s['utilDecodePool']).toBeGreaterThan(0);
    // The phases are parts of TTFT (exact per-request timing: sim/kv-tiers/pd.test.ts).
    expect(s['pdPrefillPhaseMsP50']! + s['pdTransferMsP50']!).toBeLessThan(s['ttftMsP99']!);
    expect(colo.summary['pdTransferMsP50']).toBeNaN();
    expect(colo.summary['utilPrefillPool']).toBeNaN();
  });

  it('is deterministic with tiers and disaggregation (same seed, same results)', () => {
    const policy = {
      routing: 'kv-aware',
      kvTiers: { cpu: { capacityBlocks: 5000 }, remote: { capacityBlocks: 20000 } },
      disaggregation: { prefillInstances: 1, prefillRouting: 'least-loaded' },
    };
    const a = runTestCell({ cluster, workload: agents, policy, kvMetrics: true, seed: 3 });
    const b = runTestCell({ cluster, workload: agents, policy, kvMetrics: true, seed: 3 });
    expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
    expect(a.requests).toEqual(b.requests);
  });

  it('a CPU tier serves shared documents the GPU had to evict', () => {
    const docs = {
      pattern: 'cache-reuse', documents: 6, contextTokens: { dist: 'uniform', min: 3000, max: 5000 }, questions: 2,
      questionGapMs: 500, workflows: 24, arrivals: { kind: 'poisson', ratePerSec: 4 }, systemTokens: 100,
      taskTokens: 40, outputTokens: 40,
    };
    const small = { instances: 1, kvBlocks: 900 };
    const none = runTestCell({ cluster: small, workload: docs, kvMetrics: true });
    const cpu = runTestCell({ cluster: small, workload: docs, policy: { routing: 'round-robin', kvTiers: { cpu: { capacityGiB: 16 } } }, kvMetrics: true });
    expect(none.summary['kvCpuHitRate']).toBe(0);
    expect(cpu.summary['kvCpuHitRate']).toBeGreaterThan(0.1);
    expect(cpu.summary['prefixCacheHitRate']).toBeGreaterThan(none.summary['prefixCacheHitRate']!);
    expect(cpu.summary['kvCpuStoredGiB']).toBeGreaterThan(0);
    expect(cpu.summary['kvSavedComputeS']).toBeGreaterThan(cpu.summary['kvLoadS']!);
  });
});

describe('KV tiers with faults', () => {
  it('a crash with KV tiers (the CPU tier is cleared, sim-cell wires it): workflows recover, tiers stay consistent', () => {
    const r = runTestCell({
      cluster: { instances: 2, kvBlocks: 1500 },
      workload: { ...agents, workflows: 10 },
      policy: { routing: 'least-loaded', recovery: 'retry-call', kvTiers: { cpu: { capacityBlocks: 4000 }, remote: { capacityBlocks: 8000 } } },
      faults: [{ kind: 'crash', target: 'i0', atS: 2, recoverAfterS: 1 }],
      router: { healthCheck: { intervalS: 1 } },
      kvMetrics: true,
    });
    expect(r.summary['faultsInjected']).toBe(1);
    expect(r.summary['workflowsCompleted']).toBe(10);
    expect(r.summary['kvRemoteHitRate']).toBeGreaterThan(0);
  });
});
