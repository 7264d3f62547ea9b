import { z } from 'zod';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

/**
 * `debate` (and reflection loops): `agents` agents speak in turn for `rounds` rounds over one
 * shared transcript (multi-agent debate, Du et al. 2023; actor/critic reflection with
 * `roles: [actor, critic]`), optionally closed by a judge who reads it all. Default sharing
 * `broadcast`: every turn sees every earlier turn, so each agent's prompt extends its last one.
 */
export const debatePattern = definePattern({
  summary: 'two or more agents alternate over a shared transcript (debate, reflection)',
  shape: {
    agents: z.int().min(2).default(2),
    rounds: z.int().positive().default(3),
    /** Roles, cycled over the agents (e.g. [actor, critic] for a reflection loop). */
    roles: z.array(z.string().min(1)).min(1).default(['debater']),
    /** A final judge call that sees the whole transcript. */
    judge: z.boolean().default(false),
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    return {
      build(index, arrivalUs, rng) {
        const nodes: WorkflowNode[] = [];
        for (let round = 0; round < w.rounds; round++) {
          for (let a = 0; a < w.agents; a++) {
            const i = nodes.length;
            nodes.push({
              kind: 'llm', id: `agent-${a}-${round}`, agentId: `agent-${a}`, role: w.roles[a % w.roles.length]!,
              parents: i > 0 ? [i - 1] : [], ...kit.drawCall(rng.fork(`agent-${a}-${round}`)),
            });
          }
        }
        if (w.judge) {
          nodes.push({ kind: 'llm', id: 'judge', agentId: 'judge', role: 'judge', parents: [nodes.length - 1], ...kit.drawCall(rng.fork('judge')) });
        }
        return kit.assemble({ pattern: 'debate', defaultSharing: 'broadcast', index, arrivalUs, rng, nodes });
      },
    };
  },
});
