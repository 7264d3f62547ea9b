import { checkScenario, reduceScenario, scenarioYaml, swarmScenario, type SwarmOptions } from './swarm.js';
import type { RawScenario } from './generate.js';

/** One failing seed, with the scenario reduced to a reproducer. */
export interface SwarmFailure {
  readonly seed: number;
  readonly failure: string;
  readonly reduced: RawScenario;
  /** The reduced scenario's own failure message. */
  readonly reducedFailure: string;
}

/** What a swarm run did. */
export interface SwarmSummary {
  readonly scenarios: number;
  readonly cells: number;
  readonly truncatedCells: number;
  readonly failures: readonly SwarmFailure[];
  /** True when the wall-clock budget stopped it before `count` scenarios. */
  readonly budgetHit: boolean;
}

/** Options of {@link runSwarm}. */
export interface RunSwarmOptions extends SwarmOptions {
  /** Seed of the first scenario; scenario i has seed `seed + i`. */
  readonly seed: number;
  readonly count: number;
  /** Stop starting scenarios after this many wall-clock seconds. */
  readonly budgetS: number;
  /** Stop after this many failures (each is reduced, which costs up to 200 scenario runs). */
  readonly maxFailures?: number | undefined;
  readonly onScenario?: ((seed: number, failure: string | undefined) => void) | undefined;
}

/** Run scenarios of consecutive seeds under the invariant checks; reduce each failure. */
export function runSwarm(o: RunSwarmOptions): SwarmSummary {
  const t0 = performance.now();
  let scenarios = 0;
  let cells = 0;
  let truncatedCells = 0;
  const failures: SwarmFailure[] = [];
  let budgetHit = false;
  for (let i = 0; i < o.count; i++) {
    if ((performance.now() - t0) / 1000 >= o.budgetS) {
      budgetHit = true;
      break;
    }
    const seed = o.seed + i;
    const raw = swarmScenario(seed);
    const res = checkScenario(raw, o);
    scenarios++;
    cells += res.cells;
    truncatedCells += res.truncatedCells;
    o.onScenario?.(seed, res.failure);
    if (res.failure !== undefined) {
      const reduced = reduceScenario(raw, res.failure, o);
      failures.push({ seed, failure: res.failure, reduced, reducedFailure: checkScenario(reduced, o).failure ?? '(passes: the failure depends on the whole scenario)' });
      if (failures.length >= (o.maxFailures ?? 5)) break;
    }
  }
  return { scenarios, cells, truncatedCells, failures, budgetHit };
}

/** The reproducer file of a failure: the reduced scenario with the failure as a comment. */
export function reproducerYaml(f: SwarmFailure): string {
  const comment = (s: string): string => s.split('\n').map((l) => `# ${l}`).join('\n');
  return `${comment(`swarm seed ${f.seed}: ${f.failure}`)}\n${comment(`reduced: ${f.reducedFailure}`)}\n` +
    `# reproduce: agentbench run <this file> --check   or   npm run swarm -- --seed ${f.seed} --count 1\n${scenarioYaml(f.reduced)}`;
}
