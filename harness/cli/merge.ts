import type { Command } from 'commander';
import { mergeShards } from '../runner/merge.js';

/** `agentbench merge <dir>... --out DIR`: the shards of a run into one run folder. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the run folders of `run --shard K/N` (all N of one scenario) into the folder the unsharded run writes')
    .argument('<dirs...>', 'the shards\' run folders')
    .requiredOption('-o, --out <dir>', 'output folder')
    .action(async (dirs: string[], o: { out: string }) => {
      const { report, files } = await mergeShards(dirs, o.out);
      process.stdout.write(`merged ${dirs.length} shard(s), ${report.runs.length} runs of '${report.scenario.name}' into ${o.out}/ (${files.map((f) => f.split('/').pop()).join(', ')})\n`);
    });
}
