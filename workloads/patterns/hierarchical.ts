import { z } from 'zod';
import { distributionSchema, tokensSchema } from '../distributions.js';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

/**
 * `hierarchical`: a supervisor runs R rounds of dispatch to K workers and gathers their results
 * (AutoGen GroupChat manager, CrewAI hierarchical process, LangGraph supervisor). Supervisor
 * calls: R + 1 (each round's dispatch, then the final gather); worker calls: R × K. The
 * supervisor and each worker are persistent agents, so their prompts grow with their own
 * history round after round. Optional tool wait per worker call (started by the dispatch; the worker sees
 * the dispatch and the tool result). Default sharing `auto`.
 */
export const hierarchicalPattern = definePattern({
  summary: 'a supervisor runs R rounds of dispatch to K workers and gathers',
  shape: {
    workers: z.int().positive().default(3),
    rounds: z.int().positive().default(2),
    /** A worker's tool wait before it answers (0 = none). */
    toolWaitMs: distributionSchema.default(0),
    toolResultTokens: tokensSchema.default(0),
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    const wait = kit.wait(w.toolWaitMs);
    const result = kit.sampler(w.toolResultTokens);
    const hasTools = !(w.toolWaitMs === 0 && w.toolResultTokens === 0);
    return {
      build(index, arrivalUs, rng) {
        const nodes: WorkflowNode[] = [];
        const supervisor = (round: number, parents: number[]): number => {
          nodes.push({
            kind: 'llm', id: `supervisor-${round}`, agentId: 'supervisor', role: 'supervisor', parents,
            ...kit.drawCall(rng.fork(`supervisor-${round}`)),
          });
          return nodes.length - 1;
        };
        let sup = supervisor(0, []);
        for (let round = 0; round < w.rounds; round++) {
          const gathered: number[] = [];
          for (let k = 0; k < w.workers; k++) {
            const r = rng.fork(`worker-${k}-${round}`);
            const parents = [sup];
            if (hasTools) {
              // The dispatch triggers a tool (retrieval, code run); the worker sees both.
              nodes.push(kit.tool(`tool-${k}-${round}`, `worker-${k}`, [sup], r, wait, result));
              parents.push(nodes.length - 1);
            }
            nodes.push({ kind: 'llm', id: `worker-${k}-${round}`, agentId: `worker-${k}`, role: 'worker', parents, ...kit.drawCall(r) });
            gathered.push(nodes.length - 1);
          }
          sup = supervisor(round + 1, gathered);
        }
        return kit.assemble({ pattern: 'hierarchical', defaultSharing: 'auto', index, arrivalUs, rng, nodes });
      },
    };
  },
});
