import { hashString, hashNumbers, type TokenRun } from '../policies/kv/hash.js';
import type { Workflow } from './workflow.js';

/** Content key of a role's system prompt: the same text for every workflow using the role. */
export function systemKey(role: string): number {
  return hashString(`system:${role}`);
}

/** Content key of a node's task text. */
export function taskKey(wf: Workflow, nodeIndex: number): number {
  return hashNumbers(hashString(wf.id), nodeIndex, 1);
}

/** Content key of what a node produces (an LLM output or a tool result). */
export function outputKey(wf: Workflow, nodeIndex: number): number {
  return hashNumbers(hashString(wf.id), nodeIndex, 2);
}

/** What the runner knows about finished nodes, as prompt building needs it. */
export interface PromptState {
  /** Tokens each finished node produced (-1 while not finished). */
  readonly producedTokens: readonly number[];
  /** Finished node indices in completion order. */
  readonly completionOrder: readonly number[];
  /** Runs each started LLM node saw as its inputs (for the agent's history transcript). */
  readonly inputsOf: readonly (readonly TokenRun[] | undefined)[];
}

function produced(wf: Workflow, state: PromptState, i: number): TokenRun | undefined {
  const n = state.producedTokens[i] ?? -1;
  return n > 0 ? { key: outputKey(wf, i), start: 0, length: n } : undefined;
}

/** What {@link buildPrompt} returns. */
export interface BuiltPrompt {
  readonly prompt: TokenRun[];
  /** The runs counted as the call's inputs (the runner keeps them for the agent's history). */
  readonly inputs: TokenRun[];
  /** Content keys of the shared segments in the prompt: the role's system prompt, the context. */
  readonly sharedContextKeys: number[];
}

/**
 * The prompt of node `index` as segments, in DESIGN order: system(role) → context(workflow) →
 * history(agent) → inputs → task. History is the agent's earlier calls in this workflow as a
 * transcript (their inputs, task and output), so an agent's next call extends its last one.
 * Inputs by strategy (the node's own, else the workflow's): `broadcast` every output finished
 * so far (completion order) not already in the history; `selective` and `auto` the DAG
 * parents' outputs; `none` nothing. `selective` and `none` leave out the shared context. A node
 * with a literal prompt (trace replay) uses it as is.
 */
export function buildPrompt(wf: Workflow, index: number, state: PromptState): BuiltPrompt {
  const node = wf.nodes[index];
  if (!node || node.kind !== 'llm') throw new Error(`buildPrompt: node ${index} of ${wf.id} is not an LLM call`);
  if (node.prompt) return { prompt: [...node.prompt], inputs: [], sharedContextKeys: [] };
  const sharing = node.sharing ?? wf.sharing;
  const prompt: TokenRun[] = [];
  const sharedContextKeys: number[] = [];
  const sys = wf.systemTokens[node.role] ?? 0;
  if (sys > 0) {
    prompt.push({ key: systemKey(node.role), start: 0, length: sys });
    sharedContextKeys.push(systemKey(node.role));
  }
  const withContext = sharing === 'auto' || sharing === 'broadcast';
  if (withContext && wf.contextTokens > 0) {
    prompt.push({ key: wf.contextKey, start: 0, length: wf.contextTokens });
    sharedContextKeys.push(wf.contextKey);
  }

  // History: this agent's earlier LLM calls, as a transcript. `seen` holds the content keys
  // already in the prompt so an output is never included twice.
  const seen = new Set<number>();
  if (sharing !== 'none') {
    for (const j of state.completionOrder) {
      const prev = wf.nodes[j]!;
      if (j >= index || prev.kind !== 'llm' || prev.agentId !== node.agentId) continue;
      for (const r of state.inputsOf[j] ?? []) {
        prompt.push(r);
        seen.add(r.key);
      }
      if (prev.taskTokens > 0) prompt.push({ key: taskKey(wf, j), start: 0, length: prev.taskTokens });
      const out = produced(wf, state, j);
      if (out) {
        prompt.push(out);
        seen.add(out.key);
      }
    }
  }

  const inputs: TokenRun[] = [];
  const addInput = (j: number): void => {
    const out = produced(wf, state, j);
    if (!out || seen.has(out.key)) return;
    seen.add(out.key);
    inputs.push(out);
  };
  if (sharing === 'broadcast') {
    for (const j of state.completionOrder) addInput(j);
  } else if (sharing === 'auto' || sharing === 'selective') {
    for (const p of node.parents) addInput(p);
  }
  for (const r of inputs) prompt.push(r);
  if (node.taskTokens > 0) prompt.push({ key: taskKey(wf, index), start: 0, length: node.taskTokens });
  return { prompt, inputs, sharedContextKeys };
}
