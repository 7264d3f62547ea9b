import type { Command } from 'commander';
import { policyRefSchema } from '../scenario/policy-ref.js';
import { clusterSchema } from '../scenario/schema.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { resolveCluster } from '../runner/resolve.js';
import { buildEmulatedEngine } from '../live/engine/build.js';
import { startEngineServer } from '../live/engine/engine-server.js';
import { WallClock } from '../live/wall-clock.js';
import { InputError } from '../../workloads/input-error.js';
import { apiKeyFrom, flagName, numberFlag, parseFlags, untilSignal } from './live-flags.js';

interface EngineFlags {
  host: string;
  port: number;
  model: string;
  gpu: string;
  servedModelName?: string;
  timeScale: number;
  kvBlocks?: number;
  blockSize?: number;
  maxModelLen?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  gpuMemoryUtilization?: number;
  prefixCaching: boolean;
  scheduling: string;
  apiKey?: string;
  apiKeyEnv?: string;
  enableFaultEndpoint?: boolean;
  quiet?: boolean;
}

/** `agentbench engine`: an emulated vLLM OpenAI-compatible endpoint. */
export function registerEngine(program: Command): void {
  program
    .command('engine')
    .description('serve an emulated vLLM endpoint (OpenAI API, /metrics) driven by the simulator\'s engine core in wall-clock time')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', numberFlag(0, 65535, true), 8000)
    .option('--model <name>', 'catalog model or path to a HF config.json (cost model and KV size)', 'llama-3.1-8b')
    .option('--gpu <name>', 'catalog GPU', 'h100-sxm')
    .option('--served-model-name <name>', 'model name clients use (default: --model)')
    .option('--time-scale <x>', 'wall seconds per modelled second (0.1: ten times faster)', numberFlag(1e-4, 1), 1)
    .option('--kv-blocks <n>', 'KV blocks (default: derived from model, GPU and memory utilization)', numberFlag(2, Infinity, true))
    .option('--block-size <n>', 'KV block size in tokens', numberFlag(1, 1024, true))
    .option('--max-model-len <n>', 'vLLM --max-model-len', numberFlag(1, Infinity, true))
    .option('--max-num-seqs <n>', 'vLLM --max-num-seqs', numberFlag(1, Infinity, true))
    .option('--max-num-batched-tokens <n>', 'vLLM --max-num-batched-tokens', numberFlag(1, Infinity, true))
    .option('--gpu-memory-utilization <x>', 'vLLM --gpu-memory-utilization', numberFlag(0.01, 1))
    .option('--no-prefix-caching', 'disable prefix caching')
    .option('--scheduling <name>', `engine scheduling policy (${Object.keys(SCHEDULING_POLICIES).join(', ')})`, 'fcfs')
    .option('--api-key <key>', 'require Authorization: Bearer <key> on /v1 and the fault endpoint (visible in ps: prefer --api-key-env; default: $AGENTBENCH_API_KEY)')
    .option('--api-key-env <name>', 'read the API key from this environment variable')
    .option('--enable-fault-endpoint', 'accept POST /agentbench/fault {kind: crash|hang|slow|recover}')
    .option('-q, --quiet', 'print nothing but the listening line')
    .action(async (o: EngineFlags) => {
      const spec = parseFlags(clusterSchema, {
        instances: 1, model: o.model, gpu: o.gpu, enablePrefixCaching: o.prefixCaching,
        ...(o.kvBlocks !== undefined ? { kvBlocks: o.kvBlocks } : {}),
        ...(o.blockSize !== undefined ? { blockSize: o.blockSize } : {}),
        ...(o.maxModelLen !== undefined ? { maxModelLen: o.maxModelLen } : {}),
        ...(o.maxNumSeqs !== undefined ? { maxNumSeqs: o.maxNumSeqs } : {}),
        ...(o.maxNumBatchedTokens !== undefined ? { maxNumBatchedTokens: o.maxNumBatchedTokens } : {}),
        ...(o.gpuMemoryUtilization !== undefined ? { gpuMemoryUtilization: o.gpuMemoryUtilization } : {}),
      }, flagName);
      const scheduling = policyRefSchema(SCHEDULING_POLICIES, 'scheduling policy').safeParse(o.scheduling);
      if (!scheduling.success) throw new InputError(scheduling.error.issues.map((i) => `--scheduling: ${i.message}`));
      const cluster = resolveCluster(spec, 'agentbench engine');
      const clock = new WallClock({ timeScale: o.timeScale });
      const engine = buildEmulatedEngine({ cluster, scheduling: scheduling.data, eviction: { kind: 'lru', options: {} }, clock, modelName: o.servedModelName });
      const server = await startEngineServer({
        engine, host: o.host, port: o.port, apiKey: apiKeyFrom(o.apiKey, o.apiKeyEnv), enableFaultEndpoint: o.enableFaultEndpoint === true,
      });
      process.stdout.write(`agentbench engine: serving ${engine.modelName} at ${server.url}\n`);
      if (!o.quiet) {
        const e = cluster.engine;
        process.stderr.write(`  ${cluster.model.name} on ${cluster.gpu.name}, ${e.numBlocks} KV blocks of ${e.blockSize} tokens, max_model_len ${e.maxModelLen}, ` +
          `time scale ${o.timeScale}${o.enableFaultEndpoint ? ', fault endpoint on' : ''}; Ctrl-C to stop\n`);
      }
      await untilSignal();
      await server.close();
      clock.close();
    });
}
