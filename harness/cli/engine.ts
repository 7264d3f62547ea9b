import type { Command } from 'commander';
import { policyRefSchema } from '../scenario/policy-ref.js';
import { clusterSchema } from '../scenario/schema.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { resolveCluster } from '../runner/resolve.js';
import { CHAT_TEMPLATES, type ChatTemplateName } from '../live/chat-template.js';
import { LoraAdapters } from '../live/engine/lora-adapters.js';
import { ANSWER_MODES, type AnswerMode } from '../live/engine/openai-request.js';
import { InputError } from '../../workloads/input-error.js';
import { apiKeyFrom, collect, flagName, numberFlag, parseFlags, untilSignal } from './live-flags.js';

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
  chatTemplate: string;
  enableAutoToolChoice: boolean;
  toolCallProbability: number;
  answer: string;
  loraModules?: string[];
  maxLoras: number;
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
    .option('--chat-template <name>', `chat template prompts are rendered and counted with (${CHAT_TEMPLATES.join(', ')})`, 'llama3')
    .option('--no-enable-auto-tool-choice', 'answer tool_choice "auto" with vLLM\'s 400, as a server started without a tool parser')
    .option('--answer <mode>', `text answers: ${ANSWER_MODES.join(' (rendered words of the drawn length) or ')} (the last user message, for client tests)`, 'synthetic')
    .option('--lora-modules <name=path>', 'a LoRA adapter served from the start (repeatable; more load at run time with POST /v1/load_lora_adapter)', collect)
    .option('--max-loras <n>', 'vLLM --max-loras (reported in vllm:lora_requests_info; batches are not limited by it)', numberFlag(1, Infinity, true), 1)
    .option('--tool-call-probability <p>', 'under tool_choice "auto", the chance an answer is a tool call before the tools ran (seeded per request)', numberFlag(0, 1), 1)
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
      if (!(CHAT_TEMPLATES as readonly string[]).includes(o.chatTemplate)) throw new InputError([`--chat-template: must be one of ${CHAT_TEMPLATES.join(', ')}, got '${o.chatTemplate}'`]);
      if (!(ANSWER_MODES as readonly string[]).includes(o.answer)) throw new InputError([`--answer: must be one of ${ANSWER_MODES.join(', ')}, got '${o.answer}'`]);
      const modules = (o.loraModules ?? []).map((m) => {
        const eq = m.indexOf('=');
        if (eq <= 0 || eq === m.length - 1) throw new InputError([`--lora-modules: expected name=path, got '${m}'`]);
        return { name: m.slice(0, eq), path: m.slice(eq + 1) };
      });
      const cluster = resolveCluster(spec, 'agentbench engine');
      // The live stack (HTTP server, undici) is loaded only by the commands that serve.
      const [{ buildEmulatedEngine }, { startEngineServer }, { WallClock }] = await Promise.all([
        import('../live/engine/build.js'), import('../live/engine/engine-server.js'), import('../live/wall-clock.js'),
      ]);
      const clock = new WallClock({ timeScale: o.timeScale });
      const engine = buildEmulatedEngine({ cluster, scheduling: scheduling.data, eviction: { kind: 'lru', options: {} }, clock, modelName: o.servedModelName });
      const server = await startEngineServer({
        engine, host: o.host, port: o.port, apiKey: apiKeyFrom(o.apiKey, o.apiKeyEnv), enableFaultEndpoint: o.enableFaultEndpoint === true,
        chatTemplate: o.chatTemplate as ChatTemplateName, tools: { autoToolChoice: o.enableAutoToolChoice, autoCallProbability: o.toolCallProbability }, answer: o.answer as AnswerMode,
        lora: new LoraAdapters(o.maxLoras, modules),
      });
      process.stdout.write(`agentbench engine: serving ${engine.modelName} at ${server.url}\n`);
      if (!o.quiet) {
        const e = cluster.engine;
        process.stderr.write(`  ${cluster.model.name} on ${cluster.gpu.name}, ${e.numBlocks} KV blocks of ${e.blockSize} tokens, max_model_len ${e.maxModelLen}, ` +
          `time scale ${o.timeScale}, ${o.chatTemplate} template, tool calls ${o.enableAutoToolChoice ? `on (auto: p=${o.toolCallProbability})` : 'off for auto'}` +
          `${o.enableFaultEndpoint ? ', fault endpoint on' : ''}; Ctrl-C to stop\n`);
      }
      await untilSignal();
      await server.close();
      clock.close();
    });
}
