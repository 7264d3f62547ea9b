import type { Command } from 'commander';
import { stringify } from 'yaml';
import { collectSet, SET_HELP } from './set-flag.js';
import { dirname } from 'node:path';
import { SeededRng } from '../../policies/rng.js';
import { InputError } from '../../workloads/input-error.js';
import { previewWorkload } from '../../workloads/preview.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { loadScenarioAsync } from '../scenario/load.js';
import { namePolicies } from '../scenario/policies.js';
import { resolveCluster } from '../runner/resolve.js';
import { checkClusterFits } from '../runner/cluster-fit.js';

/**
 * Workflows `validate` generates per workload (trace rows read, data files opened), so a missing
 * file, a missing column or a bad row fails here as `run` would, without a long wait.
 */
export const VALIDATE_WORKFLOWS = 1000;

/** `agentbench validate <scenario>` */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(`check a scenario file without running it, generating the first ${VALIDATE_WORKFLOWS} workflows of each workload (trace rows, data files) (exit 0 valid, 2 invalid)`)
    .argument('<scenario>', 'scenario YAML file')
    .option('--resolved', 'print the scenario with every default filled in, one YAML document per sweep point (stdout; the check line goes to stderr)')
    .option('--set <path=value>', SET_HELP, collectSet)
    .option('--force', 'accept cluster.kvBlocks beyond the GPU\'s memory (with a warning), as `run --force` would')
    .option('--skip-bad-rows', 'trace workloads: skip (and count) malformed rows, as `run --skip-bad-rows` would')
    .action(async (file: string, o: { resolved?: boolean; set?: (readonly [string, unknown])[]; skipBadRows?: boolean; force?: boolean }) => {
      const loaded = await loadScenarioAsync(file, { ...(o.set ? { set: o.set } : {}), ...(o.skipBadRows ? { skipBadRows: true } : {}) });
      const { scenario: sc, hash } = loaded;
      const cluster = resolveCluster(sc.cluster, file);
      const policies = namePolicies(sc.policies, file);
      for (const w of checkClusterFits(sc.cluster, cluster, file, { force: o.force === true })) process.stderr.write(`${w}\n`);
      const notes = checkWorkloads(sc.workloads as WorkloadSpec[], sc.seeds[0]!, sc.cluster.blockSize, file);
      const nPoints = loaded.points?.length ?? 1;
      const cells = policies.length * sc.workloads.length * sc.seeds.length * nPoints;
      const out = o.resolved ? process.stderr : process.stdout;
      if (o.resolved) {
        for (const pt of loaded.points ?? [{ label: '', scenario: sc }]) {
          process.stdout.write(`---\n# ${file}${pt.label ? `, sweep point ${pt.label}` : ''}, resolved: every default filled in\n${stringify(pt.scenario, { lineWidth: 0 })}`);
        }
      }
      out.write(
        `${file}: ok — scenario '${sc.name}' (${hash.slice(0, 12)}): ${policies.length} policies × ${sc.workloads.length} workloads × ` +
        `${sc.seeds.length} seeds${nPoints > 1 ? ` × ${nPoints} sweep points` : ''} = ${cells} runs; ${cluster.instances} × ${cluster.model.name} on ${cluster.gpu.name}, ` +
        `${cluster.engine.numBlocks} KV blocks (${cluster.capacity.numTokens.toLocaleString('en-US')} tokens) per instance\n${notes}`,
      );
    });
}

/**
 * Generate the first {@link VALIDATE_WORKFLOWS} workflows of every workload (the first seed's),
 * so trace files and data files are opened and read; a problem is an InputError that names the
 * workload. Returns notes on skipped trace rows.
 */
export function checkWorkloads(workloads: readonly WorkloadSpec[], seed: number, blockSize: number, file: string): string {
  let notes = '';
  workloads.forEach((w, i) => {
    try {
      const p = previewWorkload(w, new SeededRng(seed).fork(`workload:${w.name}`), {
        blockSize, maxWorkflows: VALIDATE_WORKFLOWS, analyseWorkflows: 0, sampleIndex: -1, baseDir: dirname(file),
      });
      if (p.traceRowsSkipped) {
        notes += `  workloads[${i}] '${w.name}': skipped ${p.traceRowsSkipped} malformed row(s) among the first ${p.workflows + p.traceRowsSkipped} (--skip-bad-rows)\n`;
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new InputError(e.problems.map((m) => `${file}: workloads[${i}] '${w.name}': ${m}`));
    }
  });
  return notes;
}
