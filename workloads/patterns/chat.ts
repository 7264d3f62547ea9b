import { z } from 'zod';
import { distributionSchema, tokensSchema } from '../distributions.js';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

/**
 * `chat`: plain chat requests, not agents: a system prompt and a user message (`taskTokens`),
 * no shared context by default; with `turns` > 1 a conversation whose turns are `thinkTimeMs`
 * apart and each resend the history. The background traffic of a `mixed` workload.
 */
export const chatPattern = definePattern({
  summary: 'plain chat requests (optionally multi-turn), no agents',
  shape: {
    contextTokens: tokensSchema.default(0),
    turns: z.int().positive().default(1),
    thinkTimeMs: distributionSchema.default(0),
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    const think = kit.wait(w.thinkTimeMs);
    const hasThink = w.thinkTimeMs !== 0;
    const zero = () => 0;
    return {
      build(index, arrivalUs, rng) {
        const nodes: WorkflowNode[] = [];
        let prev = -1;
        for (let t = 0; t < w.turns; t++) {
          const r = rng.fork(`turn-${t}`);
          nodes.push({ kind: 'llm', id: `turn-${t}`, agentId: 'user', role: 'chat', parents: prev >= 0 ? [prev] : [], ...kit.drawCall(r) });
          prev = nodes.length - 1;
          if (hasThink && t < w.turns - 1) {
            nodes.push(kit.tool(`think-${t}`, 'user', [prev], r, think, zero));
            prev = nodes.length - 1;
          }
        }
        return kit.assemble({ pattern: 'chat', defaultSharing: 'auto', index, arrivalUs, rng, nodes });
      },
    };
  },
});
