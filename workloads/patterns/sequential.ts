import { z } from 'zod';
import { distributionSchema, tokensSchema } from '../distributions.js';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

/**
 * `sequential`: a chain of N agents, each extending the shared context with its output
 * (LangChain SequentialChain, CrewAI sequential process). Optional tool waits between agents.
 * Default sharing `broadcast`: every agent sees all earlier outputs.
 */
export const sequentialPattern = definePattern({
  summary: 'a chain of N agents, each extending the shared context',
  shape: {
    agents: z.int().positive().default(4),
    /** Agent roles, cycled over the chain; agents with one role share its system prompt. */
    roles: z.array(z.string().min(1)).min(1).default(['agent']),
    /** Tool wait after each agent but the last (0 = none). */
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
        let prev = -1;
        for (let a = 0; a < w.agents; a++) {
          const r = rng.fork(`agent-${a}`);
          const role = w.roles[a % w.roles.length]!;
          nodes.push({ kind: 'llm', id: `agent-${a}`, agentId: `agent-${a}`, role, parents: prev >= 0 ? [prev] : [], ...kit.drawCall(r) });
          prev = nodes.length - 1;
          if (hasTools && a < w.agents - 1) {
            nodes.push(kit.tool(`tool-${a}`, `agent-${a}`, [prev], r, wait, result));
            prev = nodes.length - 1;
          }
        }
        return kit.assemble({ pattern: 'sequential', defaultSharing: 'broadcast', index, arrivalUs, rng, nodes });
      },
    };
  },
});
