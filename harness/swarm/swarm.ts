import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { SeededRng } from '../../policies/rng.js';
import { InputError } from '../../workloads/input-error.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { parseScenario } from '../scenario/load.js';
import { namePolicies } from '../scenario/policies.js';
import { checkClusterFits } from '../runner/cluster-fit.js';
import { resolveCluster } from '../runner/resolve.js';
import { workflowsRequested } from '../runner/truncation.js';
import { runSimCell, type CellResult } from '../runner/sim-cell.js';
import { randomScenario, type RawScenario } from './generate.js';
import { cellViolations } from './invariants.js';

/** Options of one swarm check. */
export interface SwarmOptions {
  /** Run every cell twice and compare its records byte for byte. */
  readonly rerun: boolean;
  /** Run every cell again on the step-by-step reference engine and compare the records byte for byte. */
  readonly compareEngines?: boolean | undefined;
  /** Tests only: corrupt a cell's result (a deliberately injected bug the swarm must catch). */
  readonly mutate?: ((res: CellResult, workload: WorkloadSpec) => CellResult) | undefined;
}

/** What one scenario of the swarm gave. */
export interface ScenarioOutcome {
  readonly cells: number;
  readonly truncatedCells: number;
  /** The first problem found (an exception, a violated invariant, a rerun that differed). */
  readonly failure?: string;
}

/** The scenario of swarm seed `seed` (scenario i of `--seed S` is seed S + i). */
export function swarmScenario(seed: number): RawScenario {
  return randomScenario(new SeededRng(`swarm:${seed}`), seed);
}

/** YAML text of a scenario (a reproducer file: `agentbench run <file> --check`). */
export function scenarioYaml(raw: RawScenario): string {
  return stringify(raw);
}

/**
 * A digest of a cell's records (summary, requests, workflows, instances, events), for the rerun
 * and engine comparisons. The request and workflow tables serialise as their rows (`ColumnTable.toJSON`).
 */
export const cellFingerprint = (res: CellResult): string => createHash('sha256')
  .update(JSON.stringify({ s: res.summary, r: res.requests, w: res.workflows, i: res.instances, e: res.events }, (_k, x: unknown) => (typeof x === 'number' && Number.isNaN(x) ? 'NaN' : x)))
  .digest('hex');

/**
 * Parse, resolve and run every cell of a scenario under the invariant checks (`check`, then
 * {@link cellViolations}), optionally twice to compare the records. Never throws: any exception
 * is the failure (an InputError means the generator produced an invalid scenario).
 */
export function checkScenario(raw: RawScenario, opts: SwarmOptions): ScenarioOutcome {
  let cells = 0;
  let truncatedCells = 0;
  let where = 'loading the scenario';
  try {
    const loaded = parseScenario(scenarioYaml(raw), `${raw.name}.yaml`);
    const sc = loaded.scenario;
    const cluster = resolveCluster(sc.cluster, loaded.file);
    checkClusterFits(sc.cluster, cluster, loaded.file);
    const policies = namePolicies(sc.policies, loaded.file);
    const kvMetrics = policies.some((p) => p.entry.kvTiers !== undefined || p.entry.disaggregation !== undefined);
    for (const workload of sc.workloads as WorkloadSpec[]) {
      for (const p of policies) {
        for (const seed of sc.seeds) {
          where = `cell ${workload.name} × ${p.name} × seed ${seed}`;
          const run = (engineSteps?: 'fast' | 'reference'): CellResult => {
            const res = runSimCell({
              engineSteps,
              cluster, workload, policy: p.entry, seed, check: true, maxSimUs: sc.limits.maxSimS * 1e6, maxEvents: sc.limits.maxEvents,
              sampleIntervalUs: sc.report.sampleIntervalMs * 1000, slo: sc.slo, faults: sc.faults, router: sc.router, kvMetrics,
            });
            return opts.mutate ? opts.mutate(res, workload) : res;
          };
          const res = run();
          cells++;
          if (res.end === 'limit') truncatedCells++;
          const violations = cellViolations(res, workflowsRequested(workload));
          if (violations.length > 0) return { cells, truncatedCells, failure: `${where}: ${violations.join('; ')}` };
          if (opts.rerun && cellFingerprint(run()) !== cellFingerprint(res)) {
            return { cells, truncatedCells, failure: `${where}: a rerun with the same seed gave different records (nondeterminism)` };
          }
          if (opts.compareEngines && cellFingerprint(run('reference')) !== cellFingerprint(res)) {
            return { cells, truncatedCells, failure: `${where}: the fast engine's records differ from the step-by-step reference engine's` };
          }
        }
      }
    }
    return { cells, truncatedCells };
  } catch (e) {
    const what = e instanceof InputError ? `the generator made an invalid scenario: ${e.problems.join('; ')}` : String((e as Error).message ?? e);
    return { cells, truncatedCells, failure: `${where}: ${what}` };
  }
}

/** The kind of a failure, for reduction: its message without numbers (ids, times, counts). */
export function failureKind(failure: string): string {
  const afterCell = failure.replace(/^cell [^:]*: /, '').replace(/[\w.-]+\.yaml:\d+:\d+: /g, '');
  return afterCell.replace(/\d+(\.\d+)?/g, '#').slice(0, 160);
}

/**
 * Shrink a failing scenario while it fails the same way: drop faults, workloads, policies,
 * limits and cluster options one at a time, halve workflow counts and fan-outs, simplify
 * policies to the defaults. Greedy, bounded by `maxChecks` scenario runs.
 */
export function reduceScenario(raw: RawScenario, failure: string, opts: SwarmOptions, maxChecks = 200): RawScenario {
  const kind = failureKind(failure);
  let best = structuredClone(raw);
  let checks = 0;
  const stillFails = (cand: RawScenario): boolean => {
    checks++;
    const f = checkScenario(cand, { ...opts, rerun: opts.rerun && /nondeterminism/.test(failure) }).failure;
    return f !== undefined && failureKind(f) === kind;
  };
  let progress = true;
  while (progress && checks < maxChecks) {
    progress = false;
    for (const cand of candidates(best)) {
      if (checks >= maxChecks) break;
      if (stillFails(cand)) {
        best = cand;
        progress = true;
        break;
      }
    }
  }
  return best;
}

/** Smaller variants of a scenario, most aggressive first. */
function* candidates(sc: RawScenario): Generator<RawScenario> {
  const edit = (fn: (c: RawScenario) => void): RawScenario => {
    const c = structuredClone(sc);
    fn(c);
    return c;
  };
  if (sc.faults) {
    yield edit((c) => delete c.faults);
    for (let i = 0; i < sc.faults.length && sc.faults.length > 1; i++) yield edit((c) => c.faults!.splice(i, 1));
  }
  for (const key of ['workloads', 'policies'] as const) {
    for (let i = 0; i < sc[key].length && sc[key].length > 1; i++) yield edit((c) => c[key].splice(i, 1));
  }
  if (sc.limits) yield edit((c) => delete c.limits);
  for (const k of Object.keys(sc.cluster)) if (k !== 'instances') yield edit((c) => delete c.cluster[k]);
  if ((sc.cluster['instances'] as number) > 1) yield edit((c) => (c.cluster['instances'] = (c.cluster['instances'] as number) - 1));
  for (const [i, p] of sc.policies.entries()) {
    for (const k of ['kvTiers', 'disaggregation', 'scheduling', 'eviction', 'recovery']) if (k in p) yield edit((c) => delete c.policies[i]![k]);
    if (p['routing'] !== 'round-robin') yield edit((c) => (c.policies[i]!['routing'] = 'round-robin'));
  }
  for (const [i, w] of sc.workloads.entries()) {
    const least = (k: string): number => (k === 'agents' && w['pattern'] === 'debate' ? 2 : 1);
    for (const k of ['workflows', 'workers', 'agents', 'rounds', 'turns', 'documents', 'questions']) {
      const n = w[k];
      if (typeof n !== 'number' || n <= least(k)) continue;
      yield edit((c) => (c.workloads[i]![k] = Math.max(least(k), Math.floor(n / 2))));
      yield edit((c) => (c.workloads[i]![k] = n - 1));
    }
    for (const k of ['systemTokens', 'contextTokens', 'taskTokens', 'outputTokens', 'toolWaitMs', 'judge']) if (k in w) yield edit((c) => delete c.workloads[i]![k]);
    if ((w['arrivals'] as { kind: string }).kind !== 'poisson') yield edit((c) => (c.workloads[i]!['arrivals'] = { kind: 'poisson', ratePerSec: 2 }));
  }
}
