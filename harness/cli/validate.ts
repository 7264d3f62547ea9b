import type { Command } from 'commander';
import { stringify } from 'yaml';
import { collectSet, SET_HELP } from './set-flag.js';
import { loadScenario } from '../scenario/load.js';
import { namePolicies } from '../scenario/policies.js';
import { resolveCluster } from '../runner/resolve.js';

/** `agentbench validate <scenario>` */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file without running it (exit 0 valid, 2 invalid)')
    .argument('<scenario>', 'scenario YAML file')
    .option('--resolved', 'print the scenario with every default filled in, one YAML document per sweep point (stdout; the check line goes to stderr)')
    .option('--set <path=value>', SET_HELP, collectSet)
    .action((file: string, o: { resolved?: boolean; set?: (readonly [string, unknown])[] }) => {
      const loaded = loadScenario(file, o.set ? { set: o.set } : {});
      const { scenario: sc, hash } = loaded;
      const cluster = resolveCluster(sc.cluster, file);
      const policies = namePolicies(sc.policies, file);
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
        `${cluster.engine.numBlocks} KV blocks (${cluster.capacity.numTokens.toLocaleString('en-US')} tokens) per instance\n`,
      );
    });
}
