import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';
import { Progress } from '../progress.js';
import { consoleSummary } from './summary-table.js';

/** Parse a non-negative integer flag. */
export function parseSeed(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, found '${v}'`);
  return n;
}

/** `agentbench run <scenario>` */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a scenario (every workload × policy × seed) and write its reports')
    .argument('<scenario>', 'scenario YAML file')
    .option('-o, --out <dir>', 'output directory (default: runs/<scenario name>)')
    .option('-s, --seed <n>', 'run only this seed instead of the scenario\'s list', parseSeed)
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print a machine-readable summary on stdout instead of the table')
    .option('--mode <mode>', 'sim or live (overrides the scenario\'s mode)', (v: string) => {
      if (v !== 'sim' && v !== 'live') throw new InvalidArgumentError(`expected sim or live, found '${v}'`);
      return v;
    })
    .option('--check', 'check invariants as the run goes (request conservation, KV conservation, causality, oracle boundary)')
    .action(async (file: string, o: { out?: string; seed?: number; quiet?: boolean; json?: boolean; check?: boolean; mode?: 'sim' | 'live' }) => {
      const loaded = loadScenario(file, { ...(o.seed !== undefined ? { seeds: [o.seed] } : {}), ...(o.mode ? { mode: o.mode } : {}) });
      const outDir = o.out ?? join('runs', loaded.scenario.name);
      const progress = new Progress(process.stderr, !o.quiet && !o.json);
      const res = await runScenario(loaded, { outDir, check: o.check === true, progress });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({
          outDir: res.outDir, files: res.files, scenario: res.report.scenario, aggregates: res.report.aggregates,
        }, null, 2)}\n`);
      } else {
        process.stdout.write(consoleSummary(res.report));
        process.stdout.write(`\n${res.calls} LLM calls ${res.report.scenario.mode === 'live' ? 'run live' : 'simulated'} in ${(res.wallMs / 1000).toFixed(2)} s; reports in ${res.outDir}/ (report.md, report.json, *.csv)\n`);
      }
    });
}
