import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStdio } from './testing.js';
import { main } from './main.js';

const FAILOVER = join(import.meta.dirname, '../../scenarios/failover.yaml');

const io = captureStdio();

// A small version of failover.yaml: 3 instances, 40 s of traffic, a crash at 10 s, back at 25 s.
const SMALL = `name: small-failover
seeds: [1]
cluster: { instances: 3 }
faults:
  - { kind: crash, target: i1, atS: 10, recoverAfterS: 15 }
router:
  healthCheck: { intervalS: 5 }
policies:
  - { routing: round-robin, recovery: retry-call }
  - { routing: least-loaded, recovery: restart-workflow }
workloads:
  - { name: seq, pattern: sequential, agents: 3, durationS: 40, arrivals: { kind: poisson, ratePerSec: 3 }, contextTokens: 1000, outputTokens: 100, toolWaitMs: 200 }
`;
// 3 workflows/s keep every instance busy when i1 crashes at 10 s, so each policy has calls to
// retry (at 2/s, least-loaded happened to leave i1 idle at that instant once async scheduling
// hid the 0.3 ms CPU overhead of each step).

describe('agentbench with faults', () => {
  it('accepts scenarios/failover.yaml', async () => {
    expect(await main(['validate', FAILOVER])).toBe(0);
    expect(io.out).toMatch(/ok — scenario 'failover'.*4 policies × 2 workloads × 3 seeds = 24 runs/);
  });

  it('runs a fault scenario: byte-identical report.json twice, fault list, failover table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ab-fo-'));
    try {
      const file = join(dir, 'small.yaml');
      writeFileSync(file, SMALL);
      for (const o of ['a', 'b']) expect(await main(['run', file, '--out', join(dir, o), '--quiet', '--check'])).toBe(0);
      const [a, b] = ['a', 'b'].map((o) => readFileSync(join(dir, o, 'report.json'), 'utf8'));
      expect(a).toBe(b);
      const report = JSON.parse(a!) as { runs: { policy: string; summary: Record<string, number>; faults: unknown[] }[]; policies: { recovery: string }[] };
      expect(report.policies.map((p) => p.recovery.replace(/\(.*/, ''))).toEqual(['retry-call', 'restart-workflow']);
      for (const r of report.runs) {
        expect(r.faults).toEqual([expect.objectContaining({ kind: 'crash', instance: 'i1', atMs: 10_000, durationMs: 15_000, timeToDetectMs: 0 })]);
        expect(r.summary['faultsInjected']).toBe(1);
        expect(r.summary['requestsRetried']).toBeGreaterThan(0);
      }
      const md = readFileSync(join(dir, 'a', 'report.md'), 'utf8');
      expect(md).toContain('### Failover: `seq`');
      expect(md).toContain('Faults (first seed): crash of i1 at 10.0 s lasting 15.0 s.');
      expect(io.out).toContain('failover:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
