import { describe, expect, it } from 'vitest';
import { InputError } from '../../workloads/input-error.js';
import { parseScenario } from './load.js';

const base = (extra: string) => `name: f
cluster: { instances: 4 }
policies:
  - routing: round-robin
workloads:
  - { name: s, pattern: sequential, agents: 2, workflows: 3, arrivals: { kind: poisson, ratePerSec: 1 } }
${extra}`;

function problems(extra: string): string[] {
  try {
    parseScenario(base(extra), 'f.yaml');
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('faults, router and recovery keys: validated with file:line:col, expected and found', () => {
  it('accepts every fault kind, schedules, targets, router settings and recovery options', () => {
    const ok = parseScenario(base(`faults:
  - { kind: crash, target: i1, atS: 100, recoverAfterS: 60 }
  - { kind: hang, target: random, atS: 10, durationS: 5 }
  - { kind: slowdown, target: { fraction: 0.5 }, atS: 20, factor: 2.5, durationS: 30 }
  - { kind: partition, target: all, atS: 40, durationS: 3 }
  - { kind: kv-loss, target: i0, schedule: { mtbfS: 300 } }
router:
  healthCheck: { intervalS: 5 }
  retry: { timeoutS: 30, maxAttempts: 3 }`), 'f.yaml');
    expect(ok.scenario.faults).toHaveLength(5);
    expect(ok.scenario.router).toEqual({
      healthCheck: { intervalS: 5, timeoutS: 10, failureThreshold: 1, successThreshold: 1 },
      retry: { timeoutS: 30, maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 30000, backoffMultiplier: 1.5, jitter: 0.2 },
    });
    expect(ok.scenario.policies[0]!.recovery).toMatchObject({ kind: 'fail-workflow', options: {} });
  });

  it('an unknown fault kind lists the valid ones', () => {
    expect(problems('faults:\n  - { kind: explode, atS: 3 }')).toEqual([
      'f.yaml:8:13: faults[0].kind: unknown kind string "explode"; valid: crash, hang, slowdown, partition, kv-loss',
    ]);
  });

  it('an unknown key lists the valid keys', () => {
    expect(problems('faults:\n  - { kind: crash, atS: 3, recoverAfter: 5 }')).toEqual([
      "f.yaml:8:42: faults[0]: unknown key 'recoverAfter'; valid keys: kind, atS, schedule, target, recoverAfterS, warmupS",
    ]);
  });

  it('targets: an instance the cluster does not have, or a bad name', () => {
    expect(problems('faults:\n  - { kind: crash, atS: 3, target: i4 }')).toEqual([
      "f.yaml:8:36: faults[0].target: no instance 'i4': the cluster has 4 (i0..i3)",
    ]);
    expect(problems('faults:\n  - { kind: crash, atS: 3, target: node2 }')).toEqual([
      `f.yaml:8:36: faults[0].target: expected an instance id (i0, i1, ...), 'random', 'all' or { fraction: <0..1> }, found string "node2"`,
    ]);
    expect(problems('faults:\n  - { kind: crash, atS: 3, target: { fraction: 1.5 } }')).toEqual([
      'f.yaml:8:48: faults[0].target.fraction: expected a number <= 1, found number 1.5',
    ]);
  });

  it('a time or a schedule, exactly one; scheduled durations come from mttrS', () => {
    expect(problems('faults:\n  - { kind: kv-loss }')).toEqual([
      'f.yaml:8:5: faults[0]: a fault needs exactly one of `atS` (a fixed time) or `schedule` (MTBF/MTTR), found neither',
    ]);
    expect(problems('faults:\n  - { kind: crash, target: all, recoverAfterS: 3, schedule: { mtbfS: 60 } }')).toEqual([
      'f.yaml:8:48: faults[0].recoverAfterS: with `schedule`, durations are drawn from schedule.mttrS; remove `recoverAfterS`',
    ]);
    expect(problems('faults:\n  - { kind: crash, schedule: { mtbfS: 60 } }')).toEqual([
      "f.yaml:8:5: faults[0].target: a scheduled fault needs a fixed set of targets: an instance id, 'all' or { fraction }, found 'random'",
    ]);
  });

  it('a hang that never ends needs a router timeout; a partition needs a duration', () => {
    expect(problems('faults:\n  - { kind: hang, atS: 3 }')).toEqual([
      'f.yaml:8:5: faults[0]: a hang without an end never answers: set its duration, or router.retry.timeoutS so requests on it time out',
    ]);
    expect(problems('faults:\n  - { kind: hang, atS: 3 }\nrouter: { retry: { timeoutS: 20 } }')).toEqual([]);
    expect(problems('faults:\n  - { kind: partition, atS: 3 }')).toEqual([
      'f.yaml:8:5: faults[0]: a partition needs `durationS` (a partition that never heals is a crash)',
    ]);
  });

  it('router and recovery settings', () => {
    expect(problems('router: { retry: { maxAttempts: 0 } }')).toEqual([
      'f.yaml:7:33: router.retry.maxAttempts: expected a number >= 1, found number 0',
    ]);
    expect(problems('router: { healthCheck: { every: 3 } }')).toEqual([
      "f.yaml:7:33: router.healthCheck: unknown key 'every'; valid keys: intervalS, timeoutS, failureThreshold, successThreshold",
    ]);
    const bad = base('').replace('routing: round-robin', 'routing: round-robin\n    recovery: retry-workflow');
    expect(() => parseScenario(bad, 'f.yaml')).toThrow(
      "f.yaml:5:15: policies[0].recovery: unknown recovery policy 'retry-workflow'; valid: fail-workflow, retry-call, restart-workflow");
  });
});
