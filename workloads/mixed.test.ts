import { describe, expect, it } from 'vitest';
import { SeededRng } from '../policies/rng.js';
import { makeBackgroundFactory, makeMixedFactory, type MixedSpec } from './mixed.js';
import { workload } from './testdata/specs.js';

const spec = workload({
  name: 'mx', pattern: 'mixed', taskTokens: 7, outputTokens: 5,
  mix: [{ pattern: 'react', weight: 3, turns: 2, taskTokens: 11 }, { pattern: 'parallel', workers: 2 }],
  background: { arrivals: { kind: 'poisson', ratePerSec: 1 }, taskTokens: 50 },
}) as unknown as MixedSpec;

describe('mixed workload', () => {
  it('picks each workflow\'s entry by weight from the workflow\'s own "mix" draw', () => {
    const f = makeMixedFactory(spec, { rng: new SeededRng(1) });
    const picked: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      const rng = new SeededRng(100 + i);
      // Weights 3 and 1: cumulative [3, 4]; u = float · 4 picks react when u < 3.
      const u = new SeededRng(100 + i).fork('mix').float() * 4;
      expected.push(u < 3 ? 'react' : 'parallel');
      picked.push(f.build(i, 0, rng).pattern);
    }
    expect(picked).toEqual(expected);
    // Both entries occur (a mix of 40 draws at 3 : 1).
    expect(new Set(picked)).toEqual(new Set(['react', 'parallel']));
  });

  it('builds each entry with the workload\'s fields overridden by the entry\'s, under the workload\'s id prefix', () => {
    const f = makeMixedFactory(spec, { rng: new SeededRng(1) });
    let react;
    let parallel;
    for (let i = 0; (!react || !parallel) && i < 100; i++) {
      const wf = f.build(i, 0, new SeededRng(100 + i));
      if (wf.pattern === 'react') react ??= wf;
      else parallel ??= wf;
    }
    expect(react!.id).toMatch(/^mx-\d+$/);
    // react's own taskTokens 11 beat the workload's 7; parallel inherits 7.
    expect(react!.nodes.filter((n) => n.kind === 'llm').map((n) => (n.kind === 'llm' ? n.taskTokens : 0))).toContain(11);
    expect(parallel!.nodes.filter((n) => n.kind === 'llm').every((n) => n.kind === 'llm' && n.taskTokens === 7)).toBe(true);
    // parallel with 2 workers: planner, 2 workers, aggregator.
    expect(parallel!.nodes.filter((n) => n.kind === 'llm')).toHaveLength(4);
  });

  it('background chat: its own id prefix and its overrides', () => {
    const bg = makeBackgroundFactory(spec, { rng: new SeededRng(1) }).build(3, 0, new SeededRng(9));
    expect(bg.id).toBe('mx-bg-3');
    expect(bg.pattern).toBe('chat');
    expect(bg.nodes.every((n) => n.kind !== 'llm' || n.taskTokens === 50)).toBe(true);
  });
});
