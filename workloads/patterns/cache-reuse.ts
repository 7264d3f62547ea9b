import { z } from 'zod';
import { hashString } from '../../policies/kv/hash.js';
import { distributionSchema, tokensSchema, drawTokens } from '../distributions.js';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';
import { zipfSampler } from '../zipf.js';

/**
 * `cache-reuse`: questions over one long shared document (RAG over a manual, chat with a PDF,
 * a code base as context). Each workflow is a user session of `questions` questions about one
 * of `documents` documents, spaced by `questionGapMs`; every question's prompt is system →
 * document → the session's earlier Q&A → question. The document (`contextTokens`, drawn once
 * per document) is the same content for every workflow that reads it, so its KV blocks are
 * shared across workflows; `reuse: false` gives each workflow a private copy of equal length
 * (the without-reuse baseline). Default sharing `auto`.
 */
export const cacheReusePattern = definePattern({
  summary: 'questions over one long shared document, spaced in time',
  shape: {
    /** Document length in tokens (drawn once per document). */
    contextTokens: tokensSchema.default(8192),
    documents: z.int().positive().default(1),
    /** How a workflow picks its document: uniformly, or Zipf with exponent s (document 0 most read). */
    popularity: z.union([z.literal('uniform'), z.strictObject({ zipf: z.number().positive() })]).default('uniform'),
    /** false: every workflow reads a private copy (no cross-workflow reuse). */
    reuse: z.boolean().default(true),
    /** Questions per workflow (a session; later questions see the earlier Q&A). */
    questions: z.int().positive().default(1),
    /** User think time between a session's questions. */
    questionGapMs: distributionSchema.default(0),
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    const gap = kit.wait(w.questionGapMs);
    const hasGap = w.questionGapMs !== 0;
    const zero = () => 0;
    const pick = w.popularity === 'uniform' ? null : zipfSampler(w.documents, w.popularity.zipf);
    const docTokens = new Map<number, number>();
    const documentTokens = (d: number): number => {
      let n = docTokens.get(d);
      if (n === undefined) {
        n = drawTokens(kit.context, kit.rng.fork(`document-${d}`), 1);
        docTokens.set(d, n);
      }
      return n;
    };
    return {
      build(index, arrivalUs, rng) {
        const pr = rng.fork('document');
        const doc = pick ? pick(pr) - 1 : pr.int(w.documents);
        const key = w.reuse ? hashString(`document:${w.name}:${doc}`) : hashString(`document:${kit.workflowId(index)}`);
        const nodes: WorkflowNode[] = [];
        let prev = -1;
        for (let q = 0; q < w.questions; q++) {
          const r = rng.fork(`question-${q}`);
          const last = q === w.questions - 1;
          nodes.push({
            kind: 'llm', id: `question-${q}`, agentId: 'reader', role: 'reader', parents: prev >= 0 ? [prev] : [], ...kit.drawCall(r),
            ...(!last && hasGap ? { expectedReuseUs: Math.round(gap.expectedMs * 1000) } : {}),
          });
          prev = nodes.length - 1;
          if (!last && hasGap) {
            nodes.push(kit.tool(`think-${q}`, 'reader', [prev], r, gap, zero));
            prev = nodes.length - 1;
          }
        }
        return kit.assemble({
          pattern: 'cache-reuse', defaultSharing: 'auto', index, arrivalUs, rng, nodes,
          context: { key, tokens: documentTokens(doc) },
        });
      },
    };
  },
});
