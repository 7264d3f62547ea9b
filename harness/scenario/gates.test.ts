import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.js';
import { InputError } from '../../workloads/input-error.js';
import { mergeGates, parseGateFlag } from '../../reports/compare/gates.js';

const scenario = (gates: string) => `name: g
cluster: { instances: 1 }
policies: [{ routing: round-robin }]
workloads:
  - { name: s, pattern: sequential, agents: 2, workflows: 2, arrivals: { kind: poisson, ratePerSec: 1 } }
${gates}`;

function problems(text: string): string[] {
  try {
    parseScenario(text, 'g.yaml');
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('gates in the scenario', () => {
  it('accepts relative and absolute limits and keeps them out of the hash', () => {
    const a = parseScenario(scenario('gates:\n  makespanMsP99: { maxIncreasePct: 5 }\n  ttftMsP99: { max: 800, alpha: 0.01 }'), 'g.yaml');
    expect(a.scenario.gates).toEqual({ makespanMsP99: { maxIncreasePct: 5 }, ttftMsP99: { max: 800, alpha: 0.01 } });
    const b = parseScenario(scenario(''), 'g.yaml');
    expect(a.hash).toBe(b.hash);
  });

  it('rejects an unknown limit kind with file:line:col', () => {
    const p = problems(scenario('gates:\n  makespanMsP99: { maxIncrease: 5 }'));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^g\.yaml:7:\d+: gates\.makespanMsP99: unknown key 'maxIncrease'; valid keys: maxIncreasePct, maxDecreasePct, max, min, alpha$/);
  });

  it('rejects a gate on a metric the runs will not emit, naming file:line:col, a close match and the valid names', () => {
    const p = problems(scenario('gates:\n  makespanMsP99: { maxIncreasePct: 5 }\n  throughputRPS: { maxDecreasePct: 3 }\n  kvCpuHitRate: { min: 0.1 }'));
    expect(p[0]).toBe("g.yaml:8:18: gates.throughputRPS: unknown gate metric 'throughputRPS' (did you mean 'throughputRps'?)");
    // kvCpuHitRate exists only when a policy has KV tiers or disaggregation.
    expect(p[1]).toBe("g.yaml:9:17: gates.kvCpuHitRate: unknown gate metric 'kvCpuHitRate'");
    expect(p[2]).toMatch(/^valid gate metrics for this scenario: requestsTotal, requestsOk, .*makespanMsP99, .*throughputRps, /);
    expect(p).toHaveLength(3);
  });

  it('rejects a relative limit that guards the good direction (it would fail on an improvement)', () => {
    const p = problems(scenario('gates:\n  throughputRps: { maxIncreasePct: 3 }\n  ttftMsP99: { maxDecreasePct: 5 }'));
    expect(p).toEqual([
      'g.yaml:7:36: gates.throughputRps.maxIncreasePct: throughputRps is better higher, so a rise is an improvement and this limit would fail on it; did you mean maxDecreasePct?',
      'g.yaml:8:32: gates.ttftMsP99.maxDecreasePct: ttftMsP99 is better lower, so a drop is an improvement and this limit would fail on it; did you mean maxIncreasePct?',
    ]);
  });

  it('takes report.rankBy out of the hash and refuses a metric without a known direction', () => {
    const plain = parseScenario(scenario(''), 'g.yaml');
    const ranked = parseScenario(scenario('report: { rankBy: ttftMsP99 }'), 'g.yaml');
    expect(ranked.scenario.report.rankBy).toBe('ttftMsP99');
    expect(ranked.hash).toBe(plain.hash);
    const p = problems(scenario('report: { rankBy: requestsTotal }'));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^g\.yaml:6:19: report\.rankBy: expected a summary metric whose better direction is known, found 'requestsTotal'; valid: requestsOk, requestsFailed, /);
  });

  it('rejects an empty rule and a negative percentage', () => {
    expect(problems(scenario('gates:\n  makespanMsP99: {}'))[0]).toContain('expected at least one of maxIncreasePct, maxDecreasePct, max, min');
    expect(problems(scenario('gates:\n  makespanMsP99: { maxIncreasePct: -1 }'))[0]).toMatch(/gates\.makespanMsP99\.maxIncreasePct: expected a number >= 0, found number -1/);
  });
});

describe('parseGateFlag', () => {
  it('parses METRIC:KIND=VALUE[,KIND=VALUE]', () => {
    expect(parseGateFlag('makespanMsP99:maxIncreasePct=5')).toEqual({ metric: 'makespanMsP99', rule: { maxIncreasePct: 5 } });
    expect(parseGateFlag('ttftMsP99:max=800,alpha=0.01')).toEqual({ metric: 'ttftMsP99', rule: { max: 800, alpha: 0.01 } });
  });

  it('says what is wrong', () => {
    expect(parseGateFlag('makespanMsP99')).toEqual({ error: expect.stringContaining('expected METRIC:KIND=VALUE') });
    expect(parseGateFlag('m:maxIncreasePct=x')).toEqual({ error: expect.stringContaining("expected KIND=NUMBER, found 'maxIncreasePct=x'") });
    expect(parseGateFlag('m:bogus=1')).toEqual({ error: expect.stringContaining("unknown kind 'bogus'; valid kinds: maxIncreasePct") });
    expect(parseGateFlag('m:alpha=2')).toHaveProperty('error');
  });

  it('merges command-line gates over the scenario\'s per metric', () => {
    expect(mergeGates({ a: { maxIncreasePct: 5, max: 10 }, b: { min: 1 } }, { a: { maxIncreasePct: 1 } }))
      .toEqual({ a: { maxIncreasePct: 1, max: 10 }, b: { min: 1 } });
  });
});
