import { describe, expect, it } from 'vitest';
import { hashBlocks, hashString, type TokenRun } from '../policies/kv/hash.js';
import { SeededRng } from '../policies/rng.js';
import { buildPrompt, outputKey, systemKey, taskKey, type PromptState } from './prompt.js';
import { workflowPrompts } from './preview.js';
import { WorkloadSource, workloadSchema, type WorkloadSpec } from './workload.js';
import type { SharingStrategy, Workflow } from './workflow.js';

const CTX = hashString('context:test');

// a (agent A) -> b (B), a -> c (C), b -> d (agent A again). System prompt 10, context 20.
function dag(sharing: SharingStrategy): Workflow {
  const llm = (id: string, agentId: string, parents: number[], taskTokens: number, outputTokens: number) =>
    ({ kind: 'llm', id, agentId, role: 'x', parents, taskTokens, outputTokens, maxTokens: 100 }) as const;
  return {
    id: 'wf', workload: 'w', pattern: 'test', index: 0, arrivalUs: 0, sharing, contextKey: CTX, contextTokens: 20,
    systemTokens: { x: 10 }, expectedAgents: ['A', 'B', 'C'], priority: 0,
    nodes: [llm('a', 'A', [], 5, 7), llm('b', 'B', [0], 6, 8), llm('c', 'C', [0], 4, 9), llm('d', 'A', [1], 3, 2)],
  };
}

// Node 3 is built after 0, 2, 1 finished (in that order); node 0 saw no inputs.
function stateAfterABC(): PromptState {
  return { producedTokens: [7, 8, 9, -1], completionOrder: [0, 2, 1], inputsOf: [[], undefined, undefined, undefined] };
}

const seg = (wf: Workflow, runs: readonly TokenRun[]) => runs.map((r) => {
  const names: [number, string][] = [[systemKey('x'), 'sys'], [CTX, 'ctx']];
  wf.nodes.forEach((_, i) => names.push([taskKey(wf, i), `task${i}`], [outputKey(wf, i), `out${i}`]));
  return `${names.find(([k]) => k === r.key)?.[1] ?? '?'}:${r.length}`;
});

describe('buildPrompt: each strategy', () => {
  it('broadcast: system, context, own history, every finished output in completion order, task', () => {
    const wf = dag('broadcast');
    const p = buildPrompt(wf, 3, stateAfterABC());
    expect(seg(wf, p.prompt)).toEqual(['sys:10', 'ctx:20', 'task0:5', 'out0:7', 'out2:9', 'out1:8', 'task3:3']);
    expect(seg(wf, p.inputs)).toEqual(['out2:9', 'out1:8']);
    expect(p.sharedContextKeys).toEqual([systemKey('x'), CTX]);
  });

  it('auto: system, context, own history, parents\' outputs, task', () => {
    const wf = dag('auto');
    expect(seg(wf, buildPrompt(wf, 3, stateAfterABC()).prompt)).toEqual(['sys:10', 'ctx:20', 'task0:5', 'out0:7', 'out1:8', 'task3:3']);
    expect(seg(wf, buildPrompt(wf, 1, stateAfterABC()).prompt)).toEqual(['sys:10', 'ctx:20', 'out0:7', 'task1:6']);
  });

  it('selective: like auto without the shared context', () => {
    const wf = dag('selective');
    const p = buildPrompt(wf, 3, stateAfterABC());
    expect(seg(wf, p.prompt)).toEqual(['sys:10', 'task0:5', 'out0:7', 'out1:8', 'task3:3']);
    expect(p.sharedContextKeys).toEqual([systemKey('x')]);
  });

  it('none: system prompt and own task only', () => {
    const wf = dag('none');
    expect(seg(wf, buildPrompt(wf, 3, stateAfterABC()).prompt)).toEqual(['sys:10', 'task3:3']);
  });

  it('a node\'s own strategy overrides the workflow\'s', () => {
    const wf = dag('broadcast');
    const nodes = wf.nodes.map((n, i) => (i === 3 ? { ...n, sharing: 'none' as const } : n));
    expect(seg(wf, buildPrompt({ ...wf, nodes }, 3, stateAfterABC()).prompt)).toEqual(['sys:10', 'task3:3']);
  });

  it('a literal prompt (trace replay) is used as is', () => {
    const wf = dag('auto');
    const literal = [{ key: 99, start: 0, length: 40 }];
    const nodes = wf.nodes.map((n, i) => (i === 0 ? { ...n, prompt: literal } : n));
    expect(buildPrompt({ ...wf, nodes }, 0, stateAfterABC())).toEqual({ prompt: literal, inputs: [], sharedContextKeys: [] });
  });
});

function workload(raw: Record<string, unknown>): WorkloadSpec {
  return workloadSchema.parse({ name: 'w', workflows: 2, arrivals: { kind: 'constant', ratePerSec: 1 }, ...raw }) as WorkloadSpec;
}

function firstWorkflows(spec: WorkloadSpec, n: number): Workflow[] {
  const src = new WorkloadSource(spec, new SeededRng(1).fork('workload:w'));
  const out: Workflow[] = [];
  for (let a = src.nextArrival(); a && out.length < n; a = src.nextArrival()) out.push(src.build(a));
  return out;
}

function commonBlocks(a: readonly TokenRun[], b: readonly TokenRun[], blockSize = 16): number {
  const ha = hashBlocks(a, blockSize);
  const hb = hashBlocks(b, blockSize);
  let k = 0;
  while (k < ha.length && k < hb.length && ha[k] === hb[k]) k++;
  return k;
}

describe('shared-prefix block counts, by hand (block size 16)', () => {
  const lengths = { systemTokens: 64, contextTokens: 100, taskTokens: 20, outputTokens: 30 };

  it('two agents of one workflow: workers share system + context + planner output', () => {
    const [wf] = firstWorkflows(workload({ pattern: 'parallel', workers: 2, ...lengths }), 1);
    const prompts = workflowPrompts(wf!);
    // worker prompt = system 64 + context 100 + planner output 30 + task 20 = 214 tokens = 13 full
    // blocks; the first 194 tokens are common, so blocks 0..11 (192 tokens) are shared and
    // block 12 (tokens 192..207) holds the workers' different tasks.
    expect(hashBlocks(prompts[1]!, 16).length).toBe(13);
    expect(commonBlocks(prompts[1]!, prompts[2]!)).toBe(12);
  });

  it('two workflows sharing a role: only the role\'s system prompt (64 tokens = 4 blocks)', () => {
    const [w0, w1] = firstWorkflows(workload({ pattern: 'parallel', workers: 2, ...lengths }), 2);
    const p0 = workflowPrompts(w0!)[0]!;
    const p1 = workflowPrompts(w1!)[0]!;
    expect(commonBlocks(p0, p1)).toBe(4);
  });

  it('two workflows reading one document (cache-reuse): system 64 + document 1000 = 66 full blocks', () => {
    const spec = workload({ pattern: 'cache-reuse', systemTokens: 64, contextTokens: 1000, taskTokens: 20, outputTokens: 30 });
    const [w0, w1] = firstWorkflows(spec, 2);
    expect(w0!.contextKey).toBe(w1!.contextKey);
    // 1064 common tokens: blocks 0..65 (1056 tokens); block 66 mixes the document's end and the question.
    expect(commonBlocks(workflowPrompts(w0!)[0]!, workflowPrompts(w1!)[0]!)).toBe(66);
    const [p0, p1] = firstWorkflows(workload({ ...spec, reuse: false }), 2);
    expect(p0!.contextKey).not.toBe(p1!.contextKey);
    expect(commonBlocks(workflowPrompts(p0!)[0]!, workflowPrompts(p1!)[0]!)).toBe(4);
  });
});
