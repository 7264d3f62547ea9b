import type { Rng } from '../../policies/types.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import { RECOVERY_POLICIES } from '../../policies/recovery/workflow-recovery.js';

/** A scenario as plain data (what the YAML file of a reproducer holds). */
export type RawScenario = Record<string, unknown> & {
  name: string;
  seeds: number[];
  cluster: Record<string, unknown>;
  policies: Record<string, unknown>[];
  workloads: Record<string, unknown>[];
  faults?: Record<string, unknown>[];
  limits?: Record<string, unknown>;
};

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const chance = (rng: Rng, p: number): boolean => rng.float() < p;
const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

const ROUTING = Object.keys(ROUTING_POLICIES);
const SCHEDULING = Object.keys(SCHEDULING_POLICIES);
const EVICTION = Object.keys(EVICTION_POLICIES);
const RECOVERY = Object.keys(RECOVERY_POLICIES);

/** A token-length distribution, small enough that a scenario runs in milliseconds. */
function tokens(rng: Rng, mean: number): unknown {
  switch (rng.int(4)) {
    case 0: return between(rng, 1, mean * 2);
    case 1: return { dist: 'uniform', min: between(rng, 1, mean), max: between(rng, mean, mean * 3) };
    case 2: return { dist: 'lognormal', mean, std: between(rng, 0, mean) };
    default: return { dist: 'exponential', mean, max: mean * 4 };
  }
}

function workload(rng: Rng, i: number): Record<string, unknown> {
  const common = {
    name: `w${i}`,
    workflows: between(rng, 1, 12),
    arrivals: chance(rng, 0.75)
      ? { kind: 'poisson', ratePerSec: pick(rng, [0.5, 2, 8, 40]) }
      : { kind: 'closed-loop', concurrency: between(rng, 1, 6) },
    systemTokens: tokens(rng, 64),
    contextTokens: tokens(rng, pick(rng, [32, 300, 2000])),
    taskTokens: tokens(rng, 32),
    outputTokens: tokens(rng, pick(rng, [4, 40, 200])),
    maxTokens: pick(rng, [64, 512, 4096]),
  };
  switch (pick(rng, ['sequential', 'parallel', 'hierarchical', 'react', 'debate', 'chat', 'cache-reuse', 'fan-out', 'mixed'] as const)) {
    case 'mixed':
      return {
        ...common, pattern: 'mixed',
        mix: [{ pattern: 'sequential', agents: between(rng, 1, 3), weight: 2 }, { pattern: 'parallel', workers: between(rng, 2, 4) }],
        ...(chance(rng, 0.5) ? { background: { arrivals: { kind: 'poisson', ratePerSec: pick(rng, [1, 5]) }, turns: between(rng, 1, 2) } } : {}),
      };
    case 'sequential':
      return { ...common, pattern: 'sequential', agents: between(rng, 1, 4), toolWaitMs: chance(rng, 0.5) ? { dist: 'exponential', mean: 200 } : 0 };
    case 'parallel':
      return { ...common, pattern: 'parallel', workers: between(rng, 1, 6) };
    case 'fan-out': // huge fan-out: many workers on few instances
      return { ...common, pattern: 'parallel', workers: between(rng, 20, 64), workflows: between(rng, 1, 3) };
    case 'hierarchical':
      return { ...common, pattern: 'hierarchical', workers: between(rng, 1, 4), rounds: between(rng, 1, 3) };
    case 'react':
      return { ...common, pattern: 'react', turns: between(rng, 1, 5), toolWaitMs: { dist: 'exponential', mean: 100 } };
    case 'debate':
      return { ...common, pattern: 'debate', agents: between(rng, 2, 3), rounds: between(rng, 1, 3), judge: chance(rng, 0.5) };
    case 'chat':
      return { ...common, pattern: 'chat', turns: between(rng, 1, 4) };
    case 'cache-reuse':
      return { ...common, pattern: 'cache-reuse', documents: between(rng, 1, 4), questions: between(rng, 1, 3) };
  }
}

function policy(rng: Rng, i: number, instances: number): Record<string, unknown> {
  const p: Record<string, unknown> = {
    name: `p${i}`,
    routing: pick(rng, ROUTING),
    scheduling: pick(rng, SCHEDULING),
    eviction: pick(rng, EVICTION),
    recovery: pick(rng, RECOVERY),
  };
  if (instances >= 2 && chance(rng, 0.15)) {
    p['disaggregation'] = { prefillInstances: between(rng, 1, instances - 1) };
  } else if (chance(rng, 0.25)) {
    const tiers: Record<string, unknown> = {};
    if (chance(rng, 0.6)) tiers['cpu'] = { capacityGiB: pick(rng, [0.05, 1, 16]) };
    if (Object.keys(tiers).length === 0 || chance(rng, 0.4)) tiers['remote'] = { capacityGiB: pick(rng, [0.05, 4]), bandwidthGBps: pick(rng, [1.25, 12.5]), latencyUs: 100 };
    p['kvTiers'] = tiers;
  }
  return p;
}

function fault(rng: Rng, instances: number): Record<string, unknown> {
  const target = chance(rng, 0.3) ? 'random' : `i${rng.int(instances)}`;
  const atS = pick(rng, [0, 0.5, 2, 5]);
  switch (pick(rng, ['crash', 'crash', 'hang', 'slowdown', 'partition', 'kv-loss'] as const)) {
    case 'crash':
      return { kind: 'crash', target, atS, ...(chance(rng, 0.7) ? { recoverAfterS: pick(rng, [0.5, 3, 20]) } : {}) };
    case 'hang':
      return { kind: 'hang', target, atS, durationS: pick(rng, [0.5, 3, 20]) };
    case 'slowdown':
      return { kind: 'slowdown', target, atS, factor: pick(rng, [1.5, 4, 20]), durationS: pick(rng, [1, 10]) };
    case 'partition':
      return { kind: 'partition', target, atS, durationS: pick(rng, [0.5, 3]) };
    case 'kv-loss':
      return { kind: 'kv-loss', target, atS };
  }
}

/**
 * A random small valid scenario, a pure function of the stream: 1–4 instances (sometimes a tiny
 * KV cache and few sequences, so preemption and eviction are frequent), 1–3 policies drawn from
 * every routing, scheduling, eviction and recovery policy (some with KV tiers or P/D
 * disaggregation), 1–2 workloads of any generated pattern (some with a huge fan-out), sometimes
 * faults, sometimes a simulated-time limit that cuts the run.
 */
export function randomScenario(rng: Rng, seed: number): RawScenario {
  const instances = between(rng, 1, 4);
  const cluster: Record<string, unknown> = { instances };
  if (chance(rng, 0.5)) cluster['kvBlocks'] = pick(rng, [24, 64, 300, 2000]);
  if (chance(rng, 0.3)) cluster['maxNumSeqs'] = pick(rng, [1, 4, 16]);
  if (chance(rng, 0.2)) cluster['blockSize'] = pick(rng, [8, 32]);
  if (chance(rng, 0.1)) cluster['enablePrefixCaching'] = false;
  const sc: RawScenario = {
    name: `swarm-${seed}`,
    seeds: [seed],
    cluster,
    policies: Array.from({ length: between(rng, 1, 3) }, (_, i) => policy(rng, i, instances)),
    workloads: Array.from({ length: between(rng, 1, 2) }, (_, i) => workload(rng, i)),
  };
  // The simulator does not combine P/D disaggregation with faults yet (the schema says so).
  const pd = sc.policies.some((p) => p['disaggregation'] !== undefined);
  if (!pd && chance(rng, 0.35)) sc.faults = Array.from({ length: between(rng, 1, 2) }, () => fault(rng, instances));
  if (chance(rng, 0.1)) sc.limits = { maxSimS: pick(rng, [1, 5]) };
  return sc;
}
