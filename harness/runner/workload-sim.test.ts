// Workloads run through the simulator with invariant checks on (causality, exactly-once endings).
import { describe, expect, it } from 'vitest';
import { build, PATTERN_SPECS, trace, workload } from '../../workloads/testdata/specs.js';
import { checkWorkflowShape } from '../../workloads/workflow.js';
import { simulate } from './testdata/run-sim.js';

describe('patterns: causality in simulation', () => {
  for (const [name, raw] of Object.entries(PATTERN_SPECS)) {
    it(`${name}: runs in simulation with every node after its parents`, () => {
      const spec = workload(raw);
      for (const wf of build(spec, 4)) checkWorkflowShape(wf);
      const res = simulate(spec); // check: true asserts causality and exactly-once endings
      expect(res.end).toBe('drained');
      expect(res.workflows.length).toBeGreaterThanOrEqual(4);
      expect(res.workflows.rows().every((w) => w.outcome === 'completed')).toBe(true);
      const wfs = new Map(build(spec, 1000).map((w) => [w.id, w]));
      const ends = new Map(res.requests.rows().map((r) => [r.id, r.endUs]));
      for (const r of res.requests) {
        const wf = wfs.get(r.workflowId)!;
        const node = wf.nodes.find((n) => n.id === r.nodeId)!;
        for (const p of node.parents) {
          const parentEnd = ends.get(`${wf.id}/${wf.nodes[p]!.id}`);
          if (parentEnd !== undefined) expect(r.sendUs).toBeGreaterThanOrEqual(parentEnd);
        }
      }
    });

  }
});

describe('trace replay in simulation (Mooncake)', () => {
  const spec = trace({ file: 'mooncake.jsonl', format: 'mooncake' });

  it('the simulator hits the shared prefix (one instance)', () => {
    const res = simulate(spec, 1, 1);
    expect(res.workflows.length).toBe(6);
    expect(res.requests.rows().every((r) => r.outcome === 'ok')).toBe(true);
    const cached = new Map(res.requests.rows().map((r) => [r.workflowId, r.cachedPromptTokens]));
    expect(cached.get('t-3')).toBe(68 * 16);
    expect(cached.get('t-1')).toBe(64 * 16);
    expect(cached.get('t-0')).toBe(0);
  });
  it('skipped rows are reported in the run summary', () => {
    const res = simulate(trace({ file: 'mooncake-bad.jsonl', format: 'mooncake', skipBadRows: true }), 1, 1);
    expect(res.summary['traceRowsSkipped']).toBe(4);
    expect(res.workflows.length).toBe(3);
  });
});
