import { describe, expect, it } from 'vitest';
import { SeededRng } from '../policies/rng.js';
import { asciiDag, mermaidDag } from './dag-sketch.js';
import { previewWorkload } from './preview.js';
import { TESTDATA, workload } from './testdata/specs.js';
import { workloadSchema, type WorkloadSpec } from './workload.js';

const opts = { blockSize: 16, maxWorkflows: 1000, analyseWorkflows: 1000, sampleIndex: 0 };
const lengths = { systemTokens: 64, taskTokens: 20, outputTokens: 30 };

describe('workload preview', () => {
  it('counts and the shareable-prefix fraction across workflows (by hand)', () => {
    const p = previewWorkload(workload({ pattern: 'cache-reuse', workflows: 3, contextTokens: 1000, ...lengths }), new SeededRng(1), opts);
    // Each prompt: system 64 + document 1000 + question 20 = 1084 tokens. The 2nd and 3rd hit
    // the 1064 common tokens in 66 full blocks = 1056 tokens each: 2112 / 3252.
    expect([p.workflows, p.llmCalls, p.toolWaits, p.promptTokens, p.outputTokens]).toEqual([3, 3, 0, 3252, 90]);
    expect(p.shareablePrefixFraction).toBeCloseTo(2112 / 3252, 12);
    expect(p.crossWorkflowFraction).toBeCloseTo(2112 / 3252, 12);
  });

  it('sharing inside one workflow only (by hand)', () => {
    const p = previewWorkload(workload({ pattern: 'parallel', workers: 2, workflows: 1, contextTokens: 100, ...lengths }), new SeededRng(1), opts);
    // planner 184, workers 214 each, aggregator 64 + 100 + 30 + 30 + 20 = 244 tokens; only
    // worker-1 hits worker-0's 12 common blocks (192 tokens).
    expect(p.promptTokens).toBe(184 + 214 + 214 + 244);
    expect(p.shareablePrefixFraction).toBeCloseTo(192 / 856, 12);
    expect(p.crossWorkflowFraction).toBe(0);
  });

  it('a fully cached prompt still recomputes its last token (vLLM): at most (n - 1) / block blocks', () => {
    // Two identical 512-token prompts: the second hits floor(511 / 16) = 31 blocks = 496 tokens.
    const spec = workloadSchema.parse({ name: 't', pattern: 'trace', format: 'mooncake', file: 'mooncake-repeat.jsonl' }) as WorkloadSpec;
    const p = previewWorkload(spec, new SeededRng(1), { ...opts, baseDir: TESTDATA });
    expect(p.promptTokens).toBe(1024);
    expect(p.shareablePrefixFraction).toBe(496 / 1024);
  });

  it('stops at maxWorkflows and analyses only the first ones', () => {
    const p = previewWorkload(workload({ pattern: 'chat', workflows: 50 }), new SeededRng(1), { ...opts, maxWorkflows: 10, analyseWorkflows: 4 });
    expect([p.workflows, p.truncated, p.analysedWorkflows]).toEqual([10, true, 4]);
  });

  it('sketches one workflow as ASCII layers and as Mermaid', () => {
    const p = previewWorkload(workload({ pattern: 'parallel', workers: 2, workflows: 1, contextTokens: 100, ...lengths }), new SeededRng(1), opts);
    const { workflow, promptTokens } = p.sample!;
    expect(asciiDag(workflow, promptTokens)).toBe([
      'w-0  (pattern parallel, sharing auto, 4 LLM calls, 0 tool waits, context 100 tok)',
      'L0   [planner]     llm    planner  prompt 184 -> out 30',
      '     |',
      'L1   [worker-0]    llm    worker  prompt 214 -> out 30  <- planner',
      '     [worker-1]    llm    worker  prompt 214 -> out 30  <- planner',
      '     |',
      'L2   [aggregator]  llm    aggregator  prompt 244 -> out 30  <- worker-0, worker-1',
      '',
    ].join('\n'));
    expect(mermaidDag(workflow, promptTokens)).toBe([
      'flowchart TD',
      '  n0["planner<br/>planner · 184 → 30 tok"]',
      '  n1["worker-0<br/>worker · 214 → 30 tok"]',
      '  n2["worker-1<br/>worker · 214 → 30 tok"]',
      '  n3["aggregator<br/>aggregator · 244 → 30 tok"]',
      '  n0 --> n1', '  n0 --> n2', '  n1 --> n3', '  n2 --> n3',
      '',
    ].join('\n'));
  });
});

describe('workload preview: closed-loop mixed workloads', () => {
  it('keeps background chat next to closed-loop workflows', () => {
    const spec = workload({
      pattern: 'mixed', workflows: 20, arrivals: { kind: 'closed-loop', concurrency: 2, thinkTimeMs: 1000 },
      mix: [{ pattern: 'react', turns: 2 }], background: { arrivals: { kind: 'constant', ratePerSec: 1 } },
    });
    const p = previewWorkload(spec, new SeededRng(1), opts);
    // 20 workflows in slots of 2, each starting 1 s after the last: the main stream spans 9 s
    // (instant workflows), so background chat at 1..9 s makes 9 more.
    expect(p.byPattern).toEqual({ react: 20, chat: 9 });
    expect(p.lastArrivalS).toBe(9);
  });
});
