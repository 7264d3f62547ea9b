import { distributionSchema, tokensSchema, drawTokens } from '../distributions.js';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

/**
 * `react`: one agent alternates LLM call → tool wait → LLM call for T turns (ReAct, MCP tool
 * loops, LangChain AgentExecutor). Each call's prompt is the previous call's prompt plus its
 * output, the tool result and the next step's instruction, so it extends the last prompt
 * exactly. Each call but the last declares `expectedReuseUs` = the tool wait's nominal mean.
 * Default sharing `auto`.
 */
export const reactPattern = definePattern({
  summary: 'LLM call -> tool wait -> LLM call with growing history, for T turns',
  shape: {
    /** LLM calls per workflow (a distribution: rounded, at least 1). */
    turns: distributionSchema.default(4),
    toolWaitMs: distributionSchema.default({ dist: 'exponential', mean: 500 }),
    toolResultTokens: tokensSchema.default(200),
    /** Instruction tokens of turns after the first (default: taskTokens). */
    stepTokens: tokensSchema.optional(),
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    const turns = kit.sampler(w.turns);
    const wait = kit.wait(w.toolWaitMs);
    const result = kit.sampler(w.toolResultTokens);
    const step = w.stepTokens === undefined ? kit.task : kit.sampler(w.stepTokens);
    const reuseUs = Math.round(wait.expectedMs * 1000);
    return {
      build(index, arrivalUs, rng) {
        const n = drawTokens(turns, rng.fork('turns'), 1);
        const nodes: WorkflowNode[] = [];
        let prev = -1;
        for (let t = 0; t < n; t++) {
          const r = rng.fork(`turn-${t}`);
          const last = t === n - 1;
          nodes.push({
            kind: 'llm', id: `llm-${t}`, agentId: 'agent', role: 'react', parents: prev >= 0 ? [prev] : [],
            ...kit.drawCall(r, t === 0 ? kit.task : step),
            ...(last ? {} : { expectedReuseUs: reuseUs }),
          });
          prev = nodes.length - 1;
          if (!last) {
            nodes.push(kit.tool(`tool-${t}`, 'agent', [prev], r, wait, result));
            prev = nodes.length - 1;
          }
        }
        return kit.assemble({ pattern: 'react', defaultSharing: 'auto', index, arrivalUs, rng, nodes });
      },
    };
  },
});
