import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadScenario } from '../scenario/load.js';
import { namePolicies } from '../scenario/policies.js';
import { resolveCluster } from '../runner/resolve.js';

/** `agentbench validate <scenario>` */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file without running it (exit 0 valid, 2 invalid)')
    .argument('<scenario>', 'scenario YAML file')
    .option('--resolved', 'print the scenario with every default filled in (YAML on stdout; the check line goes to stderr)')
    .action((file: string, o: { resolved?: boolean }) => {
      const { scenario: sc, hash } = loadScenario(file);
      const cluster = resolveCluster(sc.cluster, file);
      const policies = namePolicies(sc.policies, file);
      const cells = policies.length * sc.workloads.length * sc.seeds.length;
      const out = o.resolved ? process.stderr : process.stdout;
      if (o.resolved) process.stdout.write(`# ${file}, resolved: every default filled in\n${stringify(sc, { lineWidth: 0 })}`);
      out.write(
        `${file}: ok — scenario '${sc.name}' (${hash.slice(0, 12)}): ${policies.length} policies × ${sc.workloads.length} workloads × ` +
        `${sc.seeds.length} seeds = ${cells} runs; ${cluster.instances} × ${cluster.model.name} on ${cluster.gpu.name}, ` +
        `${cluster.engine.numBlocks} KV blocks (${cluster.capacity.numTokens.toLocaleString('en-US')} tokens) per instance\n`,
      );
    });
}
