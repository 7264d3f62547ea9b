import { z } from 'zod';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

/**
 * `parallel`: planner → N concurrent workers → aggregator (fan-out/fan-in; AutoGen/CrewAI
 * hierarchical dispatch, LangGraph map-reduce). Workers share the worker role's system prompt,
 * the workflow context and the planner's output. Default sharing `auto`.
 */
export const parallelPattern = definePattern({
  summary: 'planner -> N concurrent workers -> aggregator',
  shape: {
    workers: z.int().positive().default(4),
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    return {
      build(index, arrivalUs, rng) {
        const nodes: WorkflowNode[] = [
          { kind: 'llm', id: 'planner', agentId: 'planner', role: 'planner', parents: [], ...kit.drawCall(rng.fork('planner')) },
        ];
        const workers: number[] = [];
        for (let k = 0; k < w.workers; k++) {
          nodes.push({ kind: 'llm', id: `worker-${k}`, agentId: `worker-${k}`, role: 'worker', parents: [0], ...kit.drawCall(rng.fork(`worker-${k}`)) });
          workers.push(nodes.length - 1);
        }
        nodes.push({ kind: 'llm', id: 'aggregator', agentId: 'aggregator', role: 'aggregator', parents: workers, ...kit.drawCall(rng.fork('aggregator')) });
        return kit.assemble({ pattern: 'parallel', defaultSharing: 'auto', index, arrivalUs, rng, nodes });
      },
    };
  },
});
