import type { Command } from 'commander';
import { capacityReport, fitShortfall, shortfallMessage, type CapacityReport } from '../../sim/cost-model/capacity.js';
import { GPU_HELP, MODEL_HELP, fraction, keyValues, modelAndGpu, parseNonNegative, parsePositiveInt } from './cost-args.js';

interface CapacityFlags {
  model: string; gpu: string; tp: number; context: number; prefixHitRate: number;
  gpuMemoryUtilization: number; blockSize: number; activationReserveGib: number; json?: boolean;
}

/** `agentbench capacity` */
export function registerCapacity(program: Command): void {
  program
    .command('capacity')
    .description('KV-cache capacity of a model on a GPU: blocks, tokens, concurrent sequences, largest max-model-len, prefix-sharing gain')
    .requiredOption('--model <model>', MODEL_HELP)
    .requiredOption('--gpu <gpu>', GPU_HELP)
    .option('--tp <n>', 'tensor-parallel degree', parsePositiveInt, 1)
    .option('--context <tokens>', 'context length per sequence for the concurrency figure', parsePositiveInt, 8192)
    .option('--prefix-hit-rate <r>', 'share of each context that is one prefix shared by all sequences, in [0, 1)', fraction(0, 1, false), 0)
    .option('--gpu-memory-utilization <u>', 'vLLM --gpu-memory-utilization, in (0, 1]', fraction(0, 1, true), 0.9)
    .option('--block-size <tokens>', 'KV block size', parsePositiveInt, 16)
    .option('--activation-reserve-gib <gib>', 'activation, CUDA-graph and non-torch memory per GPU', parseNonNegative, 1.5)
    .option('--json', 'print the figures as JSON')
    .action((o: CapacityFlags) => {
      const { model, gpu } = modelAndGpu(o.model, o.gpu, o.tp);
      const opts = {
        blockSize: o.blockSize, gpuMemoryUtilization: o.gpuMemoryUtilization, tensorParallel: o.tp,
        activationReserveGiB: o.activationReserveGib, contextTokens: o.context, prefixHitRate: o.prefixHitRate,
      };
      const r = capacityReport(model, gpu, opts);
      const short = fitShortfall(model, gpu, opts);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ ...r, fits: short === undefined, ...(short ? { shortfall: short } : {}) }, null, 2)}\n`);
      } else {
        process.stdout.write(capacityText(r));
      }
      if (short) {
        process.stderr.write(`agentbench: ${shortfallMessage(model, gpu, opts, short)}\n`);
        process.exitCode = 1;
      }
    });
}

const int = (n: number): string => (Number.isFinite(n) ? Math.floor(n).toLocaleString('en-US') : 'unbounded');

/** The human-readable capacity summary. */
export function capacityText(r: CapacityReport): string {
  const gain = r.maxConcurrentSeqs > 0 && Number.isFinite(r.maxConcurrentSeqsWithPrefix)
    ? ` (x${(r.maxConcurrentSeqsWithPrefix / r.maxConcurrentSeqs).toFixed(2)})` : '';
  const rows: [string, string][] = [
    ['weights per GPU', `${r.weightsGiBPerGpu.toFixed(2)} GiB`],
    ['KV budget per GPU', `${r.kvBudgetGiBPerGpu.toFixed(2)} GiB`],
    ['KV per token per GPU', `${(r.kvBytesPerTokenPerGpu / 1024).toFixed(1)} KiB`],
    ['KV blocks', `${int(r.numBlocks)} (${int(r.usableBlocks)} usable: block 0 is vLLM's null block)`],
    ['KV tokens', int(r.numTokens)],
    [`concurrent seqs at ${int(r.contextTokens)} tokens`, int(r.maxConcurrentSeqs)],
    ['largest max-model-len', `${int(r.maxModelLenFits)} (model window ${int(r.modelMaxPositionEmbeddings)}, KV holds ${int(r.usableBlocks * r.blockSize)})`],
    [`  with prefix hit rate ${r.prefixHitRate}`, `${int(r.maxConcurrentSeqsWithPrefix)} concurrent seqs${gain}`],
  ];
  return `${r.model} on ${r.gpu} x${r.tensorParallel}: gpu-memory-utilization ${r.gpuMemoryUtilization}, block size ${r.blockSize}, ` +
    `activation reserve ${r.activationReserveGiB} GiB\n${keyValues(rows)}\n`;
}
