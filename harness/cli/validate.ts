import type { Command } from 'commander';
import { loadScenario } from '../scenario/load.js';
import { namePolicies } from '../scenario/policies.js';
import { resolveCluster } from '../runner/resolve.js';

/** `agentbench validate <scenario>` */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file without running it (exit 0 valid, 2 invalid)')
    .argument('<scenario>', 'scenario YAML file')
    .action((file: string) => {
      const { scenario: sc, hash } = loadScenario(file);
      const cluster = resolveCluster(sc.cluster, file);
      const policies = namePolicies(sc.policies, file);
      const cells = policies.length * sc.workloads.length * sc.seeds.length;
      process.stdout.write(
        `${file}: ok — scenario '${sc.name}' (${hash.slice(0, 12)}): ${policies.length} policies × ${sc.workloads.length} workloads × ` +
        `${sc.seeds.length} seeds = ${cells} runs; ${cluster.instances} × ${cluster.model.name} on ${cluster.gpu.name}, ` +
        `${cluster.engine.numBlocks} KV blocks (${cluster.capacity.numTokens.toLocaleString('en-US')} tokens) per instance\n`,
      );
    });
}
