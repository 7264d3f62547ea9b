import type { Command } from 'commander';
import { dirname } from 'node:path';
import { SeededRng } from '../../policies/rng.js';
import { previewWorkload, type WorkloadPreview } from '../../workloads/preview.js';
import { asciiDag, mermaidDag } from '../../workloads/dag-sketch.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { loadScenarioAsync } from '../scenario/load.js';
import { InputError } from '../../workloads/input-error.js';
import { parseSeed } from './run.js';

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The human-readable preview of one workload. */
export function formatPreview(p: WorkloadPreview, seed: number, mermaid: boolean, sampleIndex = 0): string {
  const span = p.lastArrivalS - p.firstArrivalS;
  const rate = p.workflows > 1 && span > 0 ? `, ${((p.workflows - 1) / span).toFixed(2)}/s` : '';
  const lines = [
    `workload ${p.name} (pattern ${p.pattern}, seed ${seed})`,
    `  workflows         ${int(p.workflows)}${p.truncated ? '+ (stopped at --max-workflows)' : ''}  ` +
      `(arrivals ${p.firstArrivalS.toFixed(1)} s .. ${p.lastArrivalS.toFixed(1)} s${rate})`,
  ];
  const patterns = Object.entries(p.byPattern);
  if (patterns.length > 1) lines.push(`  by pattern        ${patterns.map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
  lines.push(
    `  LLM calls         ${int(p.llmCalls)}${p.workflows > 0 ? ` (${(p.llmCalls / p.workflows).toFixed(1)} per workflow)` : ''}, tool waits ${int(p.toolWaits)}`,
    `  prompt tokens     ${int(p.promptTokens)}${p.llmCalls > 0 ? ` (mean ${int(p.promptTokens / p.llmCalls)} per call)` : ''}`,
    `  output tokens     ${int(p.outputTokens)}${p.llmCalls > 0 ? ` (mean ${int(p.outputTokens / p.llmCalls)} per call)` : ''}`,
    `  shareable prefix  ${pct(p.shareablePrefixFraction)} of prompt tokens, ${pct(p.crossWorkflowFraction)} across workflows ` +
      `(unbounded cache, first ${int(p.analysedWorkflows)} workflows)`,
  );
  if (p.traceRowsSkipped !== undefined) lines.push(`  trace rows skipped ${int(p.traceRowsSkipped)}`);
  let out = `${lines.join('\n')}\n`;
  if (!p.sample && p.workflows > 0) out += `\n(no workflow to sketch at --sample ${sampleIndex}: ${p.workflows} generated)\n`;
  if (p.sample) {
    const { workflow, promptTokens } = p.sample;
    out += `\n${mermaid ? mermaidDag(workflow, promptTokens) : asciiDag(workflow, promptTokens)}`;
  }
  return out;
}

/** `agentbench workload preview <scenario>` */
export function registerWorkload(program: Command): void {
  const workload = program.command('workload').description('inspect workloads without simulating');
  workload
    .command('preview')
    .description('print workflow and call counts, token totals, the shareable-prefix fraction and a sketch of one workflow DAG')
    .argument('<scenario>', 'scenario YAML file')
    .option('-w, --workload <name>', 'only this workload (default: all)')
    .option('-s, --seed <n>', 'seed (default: the scenario\'s first)', parseSeed)
    .option('--sample <n>', 'which workflow (in arrival order) to sketch', parseSeed, 0)
    .option('--max-workflows <n>', 'generate at most this many workflows per workload', parseSeed, 100_000)
    .option('--analyse <n>', 'analyse prefix sharing over the first n workflows', parseSeed, 2_000)
    .option('--mermaid', 'sketch the DAG as a Mermaid flowchart instead of ASCII')
    .option('--skip-bad-rows', 'trace workloads: skip (and count) malformed rows instead of failing')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, o: {
      workload?: string; seed?: number; sample: number; maxWorkflows: number; analyse: number;
      mermaid?: boolean; skipBadRows?: boolean; json?: boolean;
    }) => {
      const { scenario: sc } = await loadScenarioAsync(file);
      let specs = sc.workloads as WorkloadSpec[];
      if (o.workload !== undefined) {
        specs = specs.filter((w) => w.name === o.workload);
        if (specs.length === 0) {
          throw new InputError([`${file}: no workload named '${o.workload}'; workloads: ${(sc.workloads as WorkloadSpec[]).map((w) => w.name).join(', ')}`]);
        }
      }
      const seed = o.seed ?? sc.seeds[0]!;
      const previews = specs.map((spec) => {
        const s = o.skipBadRows && spec.pattern === 'trace' ? { ...spec, skipBadRows: true } : spec;
        // The same stream a simulated run of this seed uses, so the preview shows its workflows.
        const rng = new SeededRng(seed).fork(`workload:${spec.name}`);
        return previewWorkload(s, rng, {
          blockSize: sc.cluster.blockSize, maxWorkflows: Math.max(1, o.maxWorkflows), analyseWorkflows: o.analyse,
          sampleIndex: o.sample, baseDir: dirname(file),
        });
      });
      if (o.json) {
        const plain = previews.map(({ sample, ...rest }) => ({
          ...rest, ...(sample ? { sample: { ...sample.workflow, promptTokens: sample.promptTokens } } : {}),
        }));
        process.stdout.write(`${JSON.stringify({ scenario: sc.name, seed, blockSize: sc.cluster.blockSize, workloads: plain }, null, 2)}\n`);
        return;
      }
      process.stdout.write(previews.map((p) => formatPreview(p, seed, o.mermaid === true, o.sample)).join('\n'));
    });
}
