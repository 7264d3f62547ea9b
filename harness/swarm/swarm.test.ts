import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CellResult } from '../runner/sim-cell.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { reproducerYaml, runSwarm } from './run-swarm.js';
import { RequestTable } from '../../reports/request-table.js';
import { WorkflowTable } from '../../reports/workflow-table.js';
import { runTestCell } from '../runner/testing.js';
import { cellFingerprint, checkScenario, failureKind, swarmScenario } from './swarm.js';

describe('swarm', () => {
  it('the same seed gives the same scenario; different seeds differ', () => {
    expect(swarmScenario(7)).toEqual(swarmScenario(7));
    expect(JSON.stringify(swarmScenario(7))).not.toBe(JSON.stringify(swarmScenario(8)));
  });

  it('the records fingerprint sees one request, one workflow or the event count changed alone', () => {
    const res = runTestCell({ cluster: { instances: 2 }, workload: { pattern: 'parallel', workers: 3, workflows: 3 } });
    expect(res.requests.length).toBeGreaterThan(10);
    const base = cellFingerprint(res);
    expect(cellFingerprint({ ...res, requests: RequestTable.of(res.requests) })).toBe(base); // a copy is equal
    // One request served elsewhere: the summary may not move, the fingerprint must.
    const rows = res.requests.rows();
    rows[4] = { ...rows[4]!, instance: rows[4]!.instance === 'i0' ? 'i1' : 'i0' };
    expect(cellFingerprint({ ...res, requests: RequestTable.of(rows) })).not.toBe(base);
    const wfs = res.workflows.rows().map((w, k) => (k === 1 ? { ...w, retries: w.retries + 1 } : w));
    expect(cellFingerprint({ ...res, workflows: WorkflowTable.of(wfs) })).not.toBe(base);
    expect(cellFingerprint({ ...res, events: res.events + 1 })).not.toBe(base);
  });

  it('a bounded swarm: 150 random scenarios (every cell run twice) hold every invariant', () => {
    const s = runSwarm({ seed: 1, count: 150, budgetS: 600, rerun: true });
    expect(s.failures.map((f) => `seed ${f.seed}: ${f.failure}`)).toEqual([]);
    expect(s.scenarios).toBe(150);
    expect(s.budgetHit).toBe(false);
    // The generator reaches limits and multi-cell scenarios (its coverage is not accidental).
    expect(s.cells).toBeGreaterThan(300);
    expect(s.truncatedCells).toBeGreaterThan(5);
  }, 240_000);

  it('catches a deliberately injected conservation bug and reduces it to a small reproducer', () => {
    // The bug: parallel workflows with more than 2 workers lose their last workflow record.
    const mutate = (res: CellResult, w: WorkloadSpec): CellResult => {
      const lose = w.pattern === 'parallel' && (w as { workers?: number }).workers! > 2 && res.workflows.length > 0;
      return lose ? { ...res, workflows: WorkflowTable.of(res.workflows.rows().slice(0, -1)) } : res;
    };
    const s = runSwarm({ seed: 1, count: 60, budgetS: 600, rerun: false, mutate, maxFailures: 1 });
    expect(s.failures).toHaveLength(1);
    const f = s.failures[0]!;
    expect(f.failure).toMatch(/^cell w\d × p\d × seed \d+: /);
    expect(failureKind(f.failure)).toMatch(/^(workflows lost: # requested, # ended, and the run drained|request .* belongs to workflow .*, which never ended)/);
    const r = f.reduced;
    // Reduced: one workload (the parallel one, at least 3 workers), one policy, nothing else.
    expect(r.workloads).toHaveLength(1);
    expect(r.workloads[0]!['pattern']).toBe('parallel');
    expect(r.workloads[0]!['workers']).toBe(3);
    expect(r.workloads[0]!['workflows']).toBe(1);
    expect(r.policies).toEqual([{ name: r.policies[0]!['name'], routing: 'round-robin' }]);
    expect(r.faults).toBeUndefined();
    expect(r.limits).toBeUndefined();
    expect(r.cluster).toEqual({ instances: 1 });
    expect(checkScenario(r, { rerun: false, mutate }).failure).toBeDefined();
    expect(checkScenario(r, { rerun: false }).failure).toBeUndefined();
    // The reproducer file is the reduced scenario, with the seed and failure as comments.
    const text = reproducerYaml(f);
    expect(text.split('\n')[0]).toBe(`# swarm seed ${f.seed}: ${f.failure}`);
    expect(text).toContain(`npm run swarm -- --seed ${f.seed} --count 1`);
    expect(parse(text)).toEqual(r);
  }, 240_000);
});
