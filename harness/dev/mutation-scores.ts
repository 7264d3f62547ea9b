// `npm run mutation:scores`: the mutation score of each core folder and file from Stryker's
// incremental state (.stryker/incremental.json: every file's latest results, whichever run
// produced them), as the Markdown tables of docs/testing.md. Score = (killed + timeout) /
// (killed + timeout + survived + no coverage); runtime and compile errors are left out, as
// Stryker does.
import { readFileSync } from 'node:fs';

interface Mutant { readonly status: string }
interface State { readonly files: Readonly<Record<string, { readonly mutants: readonly Mutant[] }>> }

/** The core folders of issue 21, each a set of path prefixes. */
export const CORE_FOLDERS: readonly { readonly name: string; readonly prefixes: readonly string[] }[] = [
  { name: 'engine: `sim/engine/{kv-cache-manager,block-pool,v1-scheduler,engine-core}.ts`', prefixes: ['sim/engine/'] },
  { name: 'policies: `policies/**`', prefixes: ['policies/'] },
  { name: 'router core: `sim/router-core.ts`', prefixes: ['sim/router-core.ts'] },
  { name: 'workflow runner: `harness/runner/workflow-runner.ts`', prefixes: ['harness/runner/workflow-runner.ts'] },
  { name: "reports' statistics: `reports/{stats,summary}.ts`", prefixes: ['reports/stats.ts', 'reports/summary.ts'] },
  { name: 'compare: `reports/compare/*.ts`', prefixes: ['reports/compare/'] },
  { name: 'gate: `harness/cli/gate.ts`', prefixes: ['harness/cli/gate.ts'] },
];

interface Counts { killed: number; timeout: number; survived: number; noCoverage: number }

/** Killed, timed out, survived and uncovered mutants of the files matching `keep`. */
export function countMutants(state: State, keep: (file: string) => boolean): Counts {
  const c: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
  for (const [file, f] of Object.entries(state.files)) {
    if (!keep(file)) continue;
    for (const m of f.mutants) {
      if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Survived') c.survived++;
      else if (m.status === 'NoCoverage') c.noCoverage++;
    }
  }
  return c;
}

/** (killed + timeout) / all counted, as a percentage with one decimal. */
export function score(c: Counts): string {
  const all = c.killed + c.timeout + c.survived + c.noCoverage;
  return all === 0 ? '–' : `${((100 * (c.killed + c.timeout)) / all).toFixed(1)} %`;
}

function main(): void {
  const state = JSON.parse(readFileSync('.stryker/incremental.json', 'utf8')) as State;
  const lines = ['| folder | killed | timeout | survived | no coverage | score |', '|---|---:|---:|---:|---:|---:|'];
  for (const f of CORE_FOLDERS) {
    const c = countMutants(state, (file) => f.prefixes.some((p) => file.startsWith(p)));
    lines.push(`| ${f.name} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | **${score(c)}** |`);
  }
  lines.push('', '| file | score | survived | no coverage |', '|---|---:|---:|---:|');
  for (const file of Object.keys(state.files).sort()) {
    const c = countMutants(state, (x) => x === file);
    lines.push(`| \`${file}\` | ${score(c)} | ${c.survived} | ${c.noCoverage} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
