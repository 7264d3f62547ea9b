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
      const { report, files, startSpreadS } = await mergeShards(dirs, o.out);
      const what = startSpreadS !== undefined ? 'slices of a live load' : 'shard(s)';
      process.stdout.write(`merged ${dirs.length} ${what}, ${report.runs.length} runs of '${report.scenario.name}' into ${o.out}/ (${files.map((f) => f.split('/').pop()).join(', ')})\n`);
      // Each slice's times run from its own start: the merged rates assume the machines started together.
      if (startSpreadS === null) process.stderr.write('warning: a slice\'s start time is unknown (no run-info.json); the merged rates assume the slices started together\n');
      else if (startSpreadS !== undefined && startSpreadS > 1) process.stderr.write(`warning: the slices started ${startSpreadS.toFixed(1)} s apart; the merged rates and latencies assume they started together\n`);
    });
}
