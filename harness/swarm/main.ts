#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeed } from '../cli/run.js';
import { reproducerYaml, runSwarm } from './run-swarm.js';

const positive = (v: string): number => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected a number > 0, found '${v}'`);
  return n;
};

/**
 * `npm run swarm -- --seed N --count K [--budget-s S]`: random small scenarios from consecutive
 * seeds, each run under the invariant checks; a failure prints its seed and writes a reduced
 * reproducer scenario. Exit 0 all passed, 1 a failure, 2 bad flags.
 */
export function swarmMain(argv: readonly string[]): number {
  const program = new Command('swarm')
    .description('run random scenarios under the invariant checks (request and KV conservation, causality, each workflow ending once, deterministic reruns)')
    .option('--seed <n>', 'seed of the first scenario (scenario i has seed n + i)', parseSeed, 1)
    .option('--seeds <k>', 'alias of --count', parseSeed)
    .option('--count <k>', 'number of scenarios', parseSeed, 200)
    .option('--budget-s <s>', 'stop starting scenarios after this many wall-clock seconds', positive, 600)
    .option('--no-rerun', 'skip the second run of each cell that checks byte-identical records')
    .option('--out <dir>', 'folder for reproducer scenarios of failures', 'swarm-failures')
    .exitOverride();
  try {
    program.parse(argv as string[], { from: 'user' });
  } catch {
    return 2;
  }
  const o = program.opts<{ seed: number; seeds?: number; count: number; budgetS: number; rerun: boolean; out: string }>();
  const count = o.seeds ?? o.count;
  const t0 = performance.now();
  const s = runSwarm({
    seed: o.seed, count, budgetS: o.budgetS, rerun: o.rerun,
    onScenario: (seed, failure) => {
      if (failure !== undefined) process.stderr.write(`FAIL seed ${seed}: ${failure}\n`);
    },
  });
  const wallS = ((performance.now() - t0) / 1000).toFixed(1);
  for (const f of s.failures) {
    mkdirSync(o.out, { recursive: true });
    const file = join(o.out, `swarm-${f.seed}.yaml`);
    writeFileSync(file, reproducerYaml(f));
    process.stdout.write(`seed ${f.seed}: ${f.failure}\n  reduced to ${file}: ${f.reducedFailure}\n  reproduce: npm run swarm -- --seed ${f.seed} --count 1\n`);
  }
  process.stdout.write(`swarm: ${s.scenarios} scenarios (seeds ${o.seed}..${o.seed + s.scenarios - 1}), ${s.cells} cells (${s.truncatedCells} cut by a limit) in ${wallS} s: ` +
    `${s.failures.length === 0 ? 'all invariants held' : `${s.failures.length} failed`}\n`);
  if (s.budgetHit) process.stdout.write(`swarm: the ${o.budgetS} s budget stopped it after ${s.scenarios} of ${count} scenarios\n`);
  return s.failures.length > 0 ? 1 : 0;
}

const invoked = process.argv[1] ?? '';
if (/swarm[/\\]main\.js$/.test(invoked)) process.exitCode = swarmMain(process.argv.slice(2));
