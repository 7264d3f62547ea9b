import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { SeededRng } from '../../policies/rng.js';
import { simulate } from './testdata/run-sim.js';
import { workload } from '../../workloads/testdata/specs.js';
import { WorkloadSource } from '../../workloads/workload.js';
import { maxInFlight } from './testing.js';

describe('closed-loop arrivals', () => {
  it('keeps K workflows in flight; the next starts when one ends', () => {
    const res = simulate(workload({ pattern: 'react', turns: 2, workflows: 12, arrivals: { kind: 'closed-loop', concurrency: 3 } }));
    expect(res.workflows.length).toBe(12);
    expect(maxInFlight(res.workflows.rows())).toBe(3);
    const starts = res.workflows.rows().map((w) => w.startUs).sort((a, b) => a - b);
    expect(starts.slice(0, 3)).toEqual([0, 0, 0]);
    const ends = new Set(res.workflows.rows().map((w) => w.endUs));
    for (const s of starts.slice(3)) expect(ends.has(s)).toBe(true); // think time 0: starts exactly at an end
  });

  it('think time delays the next start; durationS bounds the loop', () => {
    const res = simulate(workload({
      pattern: 'chat', workflows: undefined, durationS: 20, arrivals: { kind: 'closed-loop', concurrency: 2, thinkTimeMs: 5000 },
    }));
    const starts = res.workflows.rows().map((w) => w.startUs).sort((a, b) => a - b);
    const ends = res.workflows.rows().map((w) => w.endUs);
    for (const s of starts.slice(2)) expect(ends.some((e) => s - e === 5_000_000)).toBe(true);
    expect(starts[starts.length - 1]!).toBeLessThanOrEqual(20e6);
    expect(res.workflows.length).toBeGreaterThanOrEqual(6); // each slot: a start every 5 s + a short chat call
  });

  it('background chat of a closed-loop mixed workload stops with the last workflow arrival', () => {
    const res = simulate(workload({
      pattern: 'mixed', workflows: 10, arrivals: { kind: 'closed-loop', concurrency: 2, thinkTimeMs: 2000 },
      mix: [{ pattern: 'react', turns: 2 }], background: { arrivals: { kind: 'poisson', ratePerSec: 2 } },
    }));
    const bg = res.workflows.rows().filter((w) => w.id.includes('-bg-'));
    const main = res.workflows.rows().filter((w) => !w.id.includes('-bg-'));
    expect(main.length).toBe(10);
    expect(maxInFlight(main)).toBe(2);
    expect(bg.length).toBeGreaterThan(5);
    const lastMain = Math.max(...main.map((w) => w.arrivalUs));
    expect(Math.max(...bg.map((w) => w.arrivalUs))).toBeLessThanOrEqual(lastMain);
  });

  it('pull-style nextArrival refuses closed-loop workloads', () => {
    const src = new WorkloadSource(workload({ pattern: 'chat', arrivals: { kind: 'closed-loop', concurrency: 1 } }), new SeededRng(1));
    expect(src.nextArrival()).not.toBeNull();
    expect(() => src.nextArrival()).toThrow(/closed-loop arrivals depend on completions; drive it with an ArrivalDriver/);
  });

  it('stages bound a workload by themselves', () => {
    const res = simulate(workload({
      pattern: 'chat', workflows: undefined,
      arrivals: { kind: 'stages', process: 'constant', stages: [{ durationS: 5, ratePerSec: 2 }, { durationS: 5, rampToPerSec: 0 }] },
    }));
    expect(res.workflows.length).toBe(15); // 10 + a ramp from 2/s to 0 over 5 s
  });
});

const scenario = (workloads: string) => `name: t
cluster: { instances: 1 }
policies: [{ routing: round-robin }]
workloads:
${workloads}`;

function problems(workloads: string): string[] {
  try {
    parseScenario(scenario(workloads), 's.yaml');
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
  return [];
}

describe('workload validation: file:line:col, key path, expected vs found', () => {
  it('custom DAGs: unknown parent, duplicate id, cycle', () => {
    const nodes = (body: string) => `  - name: c
    pattern: custom
    workflows: 1
    arrivals: { kind: poisson, ratePerSec: 1 }
    nodes:
${body}`;
    expect(problems(nodes(`      - { kind: llm, id: a }
      - { kind: llm, id: b, after: [a, zz] }`))).toEqual([
      "s.yaml:11:40: workloads[0].nodes[1].after[1]: unknown node 'zz'; nodes: a, b",
    ]);
    expect(problems(nodes(`      - { kind: llm, id: a }
      - { kind: llm, id: a }`))).toEqual(["s.yaml:11:26: workloads[0].nodes[1].id: duplicate node id 'a' (also nodes[0])"]);
    expect(problems(nodes(`      - { kind: llm, id: a, after: [c] }
      - { kind: llm, id: b, after: [a] }
      - { kind: llm, id: c, after: [b] }`))).toEqual(['s.yaml:10:36: workloads[0].nodes[0].after: the nodes form a cycle: a -> b -> c -> a']);
    expect(problems(nodes('      - { kind: tool, id: a }'))).toEqual([
      expect.stringMatching(/^s\.yaml:10:9: workloads\[0\]\.nodes\[0\]\.waitMs: missing key/),
    ]);
  });

  it('mixed: entries are checked against their pattern', () => {
    expect(problems(`  - name: m
    pattern: mixed
    workflows: 1
    arrivals: { kind: poisson, ratePerSec: 1 }
    mix:
      - { pattern: react, turnz: 3 }
      - { pattern: nope }`)).toEqual([
      expect.stringMatching(/^s\.yaml:10:34: workloads\[0\]\.mix\[0\]: unknown key 'turnz'; valid keys: weight, priority, .*turns/),
      expect.stringMatching(/^s\.yaml:11:20: workloads\[0\]\.mix\[1\]\.pattern: unknown pattern string "nope"; valid: sequential, parallel, cache-reuse/),
    ]);
  });

  it('mixed: a custom entry gets the custom checks, with the entry path', () => {
    expect(problems(`  - name: m
    pattern: mixed
    workflows: 1
    arrivals: { kind: poisson, ratePerSec: 1 }
    mix:
      - pattern: custom
        nodes: [{ kind: llm, id: a, after: [b] }, { kind: llm, id: b, after: [a] }]`)).toEqual([
      's.yaml:11:44: workloads[0].mix[0].nodes[0].after: the nodes form a cycle: a -> b -> a',
    ]);
  });

  it('an unbounded workload, and closed-loop background', () => {
    expect(problems(`  - { name: u, pattern: chat, arrivals: { kind: poisson, ratePerSec: 1 } }`)).toEqual([
      's.yaml:5:5: workloads[0].workflows: expected `workflows` (a count) or `durationS` (arrival window) to bound the workload, found neither',
    ]);
    expect(problems(`  - name: m
    pattern: mixed
    workflows: 1
    arrivals: { kind: poisson, ratePerSec: 1 }
    mix: [{ pattern: chat }]
    background: { arrivals: { kind: closed-loop, concurrency: 2 } }`)).toEqual([
      expect.stringMatching(/^s\.yaml:10:37: workloads\[0\]\.background\.arrivals\.kind: unknown kind string "closed-loop"; valid: poisson, constant, gamma, stages/),
    ]);
  });
});
