import { describe, expect, it } from 'vitest';
import type { LlmNode, ToolNode, Workflow, WorkflowNode } from '../../workloads/workflow.js';
import { staticHints } from './call-hints.js';

const llm = (id: string, agentId: string, role: string, parents: number[]): LlmNode =>
  ({ kind: 'llm', id, agentId, role, parents, taskTokens: 10, outputTokens: 10, maxTokens: 100 });
const tool = (id: string, parents: number[], expectedDurationUs?: number): ToolNode =>
  ({ kind: 'tool', id, agentId: 't', parents, durationUs: 123_456, resultTokens: 5, ...(expectedDurationUs !== undefined ? { expectedDurationUs } : {}) });
const workflow = (nodes: WorkflowNode[]): Workflow => ({
  id: 'w', workload: 'x', pattern: 'test', index: 0, arrivalUs: 0, sharing: 'auto', contextKey: 1, contextTokens: 0,
  systemTokens: {}, expectedAgents: [], priority: 0, nodes,
});

describe('staticHints', () => {
  it('a ReAct-like chain: steps to the same role, declared tool waits, never the drawn durations', () => {
    const h = staticHints(workflow([
      llm('a0', 'a', 'r', []), tool('t0', [0], 300_000), llm('a1', 'b', 'r', [1]), tool('t1', [2], 100_000), llm('a2', 'c', 'other', [3]),
    ]));
    expect(h[0]).toEqual({ stepsToReuse: 1, expectedReuseUs: 300_000, toolWaitUs: 300_000 });
    expect(h[2]).toEqual({ toolWaitUs: 100_000 }); // the next call has another role and agent: no reuse
    expect(h[4]).toEqual({});
    expect(h[1]).toBeUndefined();
  });

  it('planner → workers → aggregator: siblings are not "later", the same agent is found across levels', () => {
    const h = staticHints(workflow([
      llm('plan', 'p', 'planner', []), llm('w0', 'w0', 'worker', [0]), llm('w1', 'w1', 'worker', [0]),
      llm('agg', 'agg', 'aggregator', [1, 2]), llm('plan2', 'p', 'planner', [3]),
    ]));
    expect(h[0]).toEqual({ stepsToReuse: 3, expectedReuseUs: 0 }); // the planner runs again after agg
    expect(h[1]).toEqual({});
    expect(h[3]).toEqual({});
  });

  it('an undeclared tool on the way leaves the expected reuse time out', () => {
    const h = staticHints(workflow([llm('a0', 'a', 'r', []), tool('t0', [0]), llm('a1', 'a', 'r', [1])]));
    expect(h[0]).toEqual({ stepsToReuse: 1 });
  });
});
