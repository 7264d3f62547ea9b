import { hashBlocks, runTokens, type TokenRun } from '../policies/kv/hash.js';
import type { Rng } from '../policies/types.js';
import { buildPrompt, outputKey, type PromptState } from './prompt.js';
import type { Workflow } from './workflow.js';
import { WorkloadSource, type WorkloadSpec } from './workload.js';

/** What `agentbench workload preview` reports about one workload, without simulating. */
export interface WorkloadPreview {
  readonly name: string;
  readonly pattern: string;
  /** Workflows generated (all of them, unless `truncated`). */
  readonly workflows: number;
  readonly truncated: boolean;
  /** Workflows per pattern (mixed workloads have several; background chat counts as `chat`). */
  readonly byPattern: Readonly<Record<string, number>>;
  readonly llmCalls: number;
  readonly toolWaits: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** First and last arrival, s (closed loop: think times only, as if workflows took no time). */
  readonly firstArrivalS: number;
  readonly lastArrivalS: number;
  /** Workflows analysed for prefix sharing (the first ones). */
  readonly analysedWorkflows: number;
  /**
   * Prompt tokens that an unbounded prefix cache could serve (full blocks whose hash an earlier
   * call produced, prompt or output), over the prompt tokens of the analysed workflows.
   */
  readonly shareablePrefixFraction: number;
  /** The part of it computed by another workflow (cross-workflow sharing). */
  readonly crossWorkflowFraction: number;
  readonly traceRowsSkipped?: number | undefined;
  /** The sketched workflow and its calls' prompt lengths. */
  readonly sample?: { readonly workflow: Workflow; readonly promptTokens: readonly number[] } | undefined;
}

/** Options of {@link previewWorkload}. */
export interface PreviewOptions {
  readonly blockSize: number;
  /** Stop generating after this many workflows. */
  readonly maxWorkflows: number;
  /** Analyse prefix sharing over this many first workflows (memory grows with it). */
  readonly analyseWorkflows: number;
  /** Index (in arrival order) of the workflow to keep as the sample. */
  readonly sampleIndex: number;
  readonly baseDir?: string | undefined;
}

/**
 * Prompts of a workflow's calls as the runner would build them if every node finished in
 * index order with its drawn output length (the exact prompts for all but `broadcast` DAGs
 * with concurrent branches, where completion order decides what a call sees).
 */
export function workflowPrompts(wf: Workflow): (TokenRun[] | null)[] {
  const n = wf.nodes.length;
  const state: PromptState & { producedTokens: number[]; completionOrder: number[]; inputsOf: (TokenRun[] | undefined)[] } = {
    producedTokens: new Array<number>(n).fill(-1), completionOrder: [], inputsOf: new Array<TokenRun[] | undefined>(n).fill(undefined),
  };
  return wf.nodes.map((node, i) => {
    let prompt: TokenRun[] | null = null;
    if (node.kind === 'llm') {
      const built = buildPrompt(wf, i, state);
      state.inputsOf[i] = built.inputs;
      prompt = built.prompt;
    }
    state.producedTokens[i] = node.kind === 'llm' ? node.outputTokens : node.resultTokens;
    state.completionOrder.push(i);
    return prompt;
  });
}

/** Generate a workload's workflows (lazily, bounded) and summarise them. */
export function previewWorkload(spec: WorkloadSpec, rng: Rng, opts: PreviewOptions): WorkloadPreview {
  const source = new WorkloadSource(spec, rng, { baseDir: opts.baseDir });
  const bs = opts.blockSize;
  // Block hash -> serial of the workflow that first produced it (an unbounded cache).
  const owner = new Map<number, number>();
  const byPattern: Record<string, number> = {};
  let workflows = 0;
  let truncated = false;
  let llmCalls = 0;
  let toolWaits = 0;
  let promptTokens = 0;
  let outputTokens = 0;
  let analysedPrompt = 0;
  let shareable = 0;
  let cross = 0;
  let first = NaN;
  let last = NaN;
  let sample: WorkloadPreview['sample'];
  try {
    for (const a of source.previewArrivals()) {
      if (workflows >= opts.maxWorkflows) {
        truncated = true;
        break;
      }
      const wf = source.build(a);
      const serial = workflows++;
      if (Number.isNaN(first)) first = a.arrivalUs;
      last = a.arrivalUs;
      byPattern[wf.pattern] = (byPattern[wf.pattern] ?? 0) + 1;
      const prompts = workflowPrompts(wf);
      const analyse = serial < opts.analyseWorkflows;
      const lengths: number[] = [];
      wf.nodes.forEach((node, i) => {
        const prompt = prompts[i];
        if (node.kind === 'tool' || !prompt) {
          toolWaits++;
          lengths.push(0);
          return;
        }
        llmCalls++;
        const pt = runTokens(prompt);
        lengths.push(pt);
        promptTokens += pt;
        outputTokens += node.outputTokens;
        if (!analyse) return;
        analysedPrompt += pt;
        const hashes = hashBlocks([...prompt, { key: outputKey(wf, i), start: 0, length: node.outputTokens }], bs);
        // vLLM recomputes at least the last prompt token: a hit covers at most
        // floor((prompt − 1) / block) blocks (vllm/v1/core/kv_cache_manager.py, get_computed_blocks).
        const maxHit = Math.floor(Math.max(0, pt - 1) / bs);
        let k = 0;
        for (; k < maxHit; k++) {
          const o = owner.get(hashes[k]!);
          if (o === undefined) break;
          if (o !== serial) cross += bs;
        }
        shareable += k * bs;
        for (const h of hashes) if (!owner.has(h)) owner.set(h, serial);
      });
      if (serial === opts.sampleIndex) sample = { workflow: wf, promptTokens: lengths };
    }
  } finally {
    source.close();
  }
  return {
    name: spec.name,
    pattern: spec.pattern,
    workflows,
    truncated,
    byPattern,
    llmCalls,
    toolWaits,
    promptTokens,
    outputTokens,
    firstArrivalS: Number.isNaN(first) ? 0 : first / 1e6,
    lastArrivalS: Number.isNaN(last) ? 0 : last / 1e6,
    analysedWorkflows: Math.min(workflows, opts.analyseWorkflows),
    shareablePrefixFraction: analysedPrompt > 0 ? shareable / analysedPrompt : 0,
    crossWorkflowFraction: analysedPrompt > 0 ? cross / analysedPrompt : 0,
    ...(source.traceStats ? { traceRowsSkipped: source.traceStats.skippedRows } : {}),
    sample,
  };
}
