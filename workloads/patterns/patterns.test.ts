import { describe, expect, it } from 'vitest';
import { workflowPrompts } from '../preview.js';
import { build, PATTERN_SPECS, workload } from '../testdata/specs.js';
import type { Workflow } from '../workflow.js';

/** "id<-parent,parent" per node, the DAG at a glance. */
const shape = (wf: Workflow) => wf.nodes.map((n) => `${n.id}${n.parents.length ? `<-${n.parents.map((p) => wf.nodes[p]!.id).join(',')}` : ''}`);


describe('patterns: DAG shapes', () => {
  it('sequential: a chain of agents with tool waits between them', () => {
    const [wf] = build(workload(PATTERN_SPECS['sequential']!), 1);
    expect(shape(wf!)).toEqual(['agent-0', 'tool-0<-agent-0', 'agent-1<-tool-0', 'tool-1<-agent-1', 'agent-2<-tool-1']);
    expect(wf!.sharing).toBe('broadcast');
  });

  it('parallel: planner -> workers -> aggregator', () => {
    const [wf] = build(workload(PATTERN_SPECS['parallel']!), 1);
    expect(shape(wf!)).toEqual(['planner', 'worker-0<-planner', 'worker-1<-planner', 'worker-2<-planner', 'aggregator<-worker-0,worker-1,worker-2']);
  });

  it('cache-reuse: a session of questions on one document shared by every workflow', () => {
    const wfs = build(workload(PATTERN_SPECS['cache-reuse']!), 3);
    expect(shape(wfs[0]!)).toEqual(['question-0', 'think-0<-question-0', 'question-1<-think-0', 'think-1<-question-1', 'question-2<-think-1']);
    expect(new Set(wfs.map((w) => w.contextKey)).size).toBe(1);
    expect(new Set(wfs.map((w) => w.contextTokens))).toEqual(new Set([4000]));
    const think = wfs[0]!.nodes[1]!;
    expect(think.kind === 'tool' && think.expectedDurationUs).toBe(2_000_000);
  });

  it('cache-reuse: several documents picked by Zipf popularity', () => {
    const wfs = build(workload({ pattern: 'cache-reuse', documents: 5, popularity: { zipf: 1.5 }, workflows: 400 }), 400);
    const counts = new Map<number, number>();
    for (const w of wfs) counts.set(w.contextKey, (counts.get(w.contextKey) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted.length).toBe(5);
    // P(doc 0) = 1 / H(5, 1.5) ≈ 0.59.
    expect(sorted[0]! / 400).toBeGreaterThan(0.5);
    expect(sorted[0]! / 400).toBeLessThan(0.68);
  });

  it('hierarchical: R rounds of dispatch to K workers, R + 1 supervisor calls', () => {
    const [wf] = build(workload(PATTERN_SPECS['hierarchical']!), 1);
    expect(shape(wf!)).toEqual([
      'supervisor-0',
      'tool-0-0<-supervisor-0', 'worker-0-0<-supervisor-0,tool-0-0', 'tool-1-0<-supervisor-0', 'worker-1-0<-supervisor-0,tool-1-0',
      'supervisor-1<-worker-0-0,worker-1-0',
      'tool-0-1<-supervisor-1', 'worker-0-1<-supervisor-1,tool-0-1', 'tool-1-1<-supervisor-1', 'worker-1-1<-supervisor-1,tool-1-1',
      'supervisor-2<-worker-0-1,worker-1-1',
    ]);
    expect(new Set(wf!.nodes.filter((n) => n.id.startsWith('supervisor')).map((n) => n.agentId))).toEqual(new Set(['supervisor']));
  });

  it('react: LLM -> tool -> LLM; each call extends the previous prompt; declared hints', () => {
    const [wf] = build(workload(PATTERN_SPECS['react']!), 1);
    expect(shape(wf!)).toEqual(['llm-0', 'tool-0<-llm-0', 'llm-1<-tool-0', 'tool-1<-llm-1', 'llm-2<-tool-1']);
    const prompts = workflowPrompts(wf!);
    const [p0, p2] = [prompts[0]!, prompts[2]!];
    expect(p2.slice(0, p0.length)).toEqual(p0);
    const n0 = wf!.nodes[0]!;
    const t0 = wf!.nodes[1]!;
    expect(n0.kind === 'llm' && n0.expectedReuseUs).toBe(500_000);
    expect(t0.kind === 'tool' && t0.expectedDurationUs).toBe(500_000);
    expect(t0.kind === 'tool' && t0.durationUs).not.toBe(500_000); // drawn, not declared
  });

  it('debate: agents alternate over one transcript, then the judge', () => {
    const [wf] = build(workload(PATTERN_SPECS['debate']!), 1);
    expect(shape(wf!)).toEqual(['agent-0-0', 'agent-1-0<-agent-0-0', 'agent-0-1<-agent-1-0', 'agent-1-1<-agent-0-1', 'judge<-agent-1-1']);
    expect(wf!.nodes.map((n) => (n.kind === 'llm' ? n.role : ''))).toEqual(['actor', 'critic', 'actor', 'critic', 'judge']);
    const prompts = workflowPrompts(wf!);
    expect(prompts[2]!.slice(0, prompts[0]!.length)).toEqual(prompts[0]); // agent 0's second turn extends its first
  });

  it('custom: nodes sorted topologically, roles, per-node sharing', () => {
    const [wf] = build(workload(PATTERN_SPECS['custom']!), 1);
    expect(shape(wf!)).toEqual(['plan', 'search<-plan', 'write<-plan,search', 'review<-write']);
    const review = wf!.nodes[3]!;
    expect(review.kind === 'llm' && review.sharing).toBe('selective');
    expect(wf!.systemTokens).toHaveProperty('writer');
  });

  it('chat: turns separated by think time', () => {
    const [wf] = build(workload(PATTERN_SPECS['chat']!), 1);
    expect(shape(wf!)).toEqual(['turn-0', 'think-0<-turn-0', 'turn-1<-think-0']);
    expect(wf!.contextTokens).toBe(0);
  });

  it('mixed: entries by weight, plus background chat while the workflows arrive', () => {
    const spec = workload({ ...PATTERN_SPECS['mixed']!, workflows: 400, arrivals: { kind: 'poisson', ratePerSec: 4 } });
    const all = build(spec, 10_000);
    const main = all.filter((w) => !w.id.includes('-bg-'));
    const bg = all.filter((w) => w.id.includes('-bg-'));
    expect(main.length).toBe(400);
    const react = main.filter((w) => w.pattern === 'react').length;
    expect(react / 400).toBeGreaterThan(0.68); // weight 3:1 -> 0.75 ± 0.022
    expect(react / 400).toBeLessThan(0.82);
    const lastMain = Math.max(...main.map((w) => w.arrivalUs));
    // Background at 1/s for ~100 s, and none after the last workflow arrived.
    expect(bg.length).toBeGreaterThan(60);
    expect(bg.every((w) => w.pattern === 'chat' && w.arrivalUs <= lastMain)).toBe(true);
    expect(new Set(all.map((w) => w.id)).size).toBe(all.length);
  });
});

describe('patterns: causality and determinism', () => {
  for (const [name, raw] of Object.entries(PATTERN_SPECS)) {
    it(`${name}: the same seed gives the same workflows, another seed others`, () => {
      const spec = workload(raw);
      const a = JSON.stringify(build(spec, 4, 7));
      expect(JSON.stringify(build(spec, 4, 7))).toBe(a);
      expect(JSON.stringify(build(spec, 4, 8))).not.toBe(a);
    });
  }
});
