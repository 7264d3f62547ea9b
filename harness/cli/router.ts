import { ROUTER_DEFAULTS } from '../../sim/router-core.js';
import type { Command } from 'commander';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SeededRng } from '../../policies/rng.js';
import { InputError } from '../../workloads/input-error.js';
import { policyRefSchema } from '../scenario/policy-ref.js';
import { instantiatePolicy, loadPolicyModule, withPolicyModules } from '../scenario/policy-modules.js';
import { BackendsFileWatcher, parseBackends } from '../live/router/backends-file.js';

export { parseBackends }; // where it was first defined (tests import it from here)
import { apiKeyFrom, collect, numberFlag, untilSignal } from './live-flags.js';
import { ENVOY_OUTLIER_DEFAULTS } from '../../policies/recovery/outlier-detection.js';
import { MAX_BODY_BYTES } from '../live/http-util.js';
import { DEFAULT_WORKFLOW_STORE } from '../live/router/workflow-store.js';

interface RouterFlags {
  backend?: string[];
  backendsFile?: string;
  backendsPollMs: number;
  routing: string;
  host: string;
  port: number;
  apiKey?: string;
  apiKeyEnv?: string;
  firstTokenTimeoutMs?: number;
  moveOnDown?: boolean;
  outlierConsecutive5xx?: number;
  outlierBaseEjectionMs: number;
  outlierMaxEjectionPercent: number;
  maxBodyBytes: number;
  backendApiKey?: string;
  blockSize: number;
  seed: number;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  unhealthyThreshold: number;
  scrapeIntervalMs: number;
  maxAttempts: number;
  upstreamTimeoutMs?: number;
  stripWorkflowFields?: boolean;
  workflowTtlS: number;
  maxQueue: number;
  maxWorkflows: number;
  maxMessageBytes: number;
  maxAgentsPerWorkflow: number;
  maxQueuedBytes: number;
}

/** `agentbench router`: the workflow-aware OpenAI-compatible router. */
export function registerRouter(program: Command): void {
  program
    .command('router')
    .description('serve a workflow-aware OpenAI-compatible router over static backends, routing with any agentbench policy')
    .option('--backend <[id=]url>', 'a backend base URL (repeatable)', collect)
    .option('--backends-file <file>', 'YAML/JSON list of backend URLs or {id, url, apiKeyEnv}, re-read when it changes (a mounted ConfigMap): backends are added and removed without dropping requests in flight')
    .option('--backends-poll-ms <ms>', 'how often the backends file is also checked by stat (fs.watch misses some changes)', numberFlag(100), 2000)
    .option('--routing <policy>', `routing policy: a name (${Object.keys(ROUTING_POLICIES).join(', ')}), JSON {"kind": ..., options} or your module {"module": "./my-router.js", options}`, 'round-robin')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', numberFlag(0, 65535, true), 8001)
    .option('--api-key <key>', 'require Authorization: Bearer <key> from clients on /v1 (visible in ps: prefer --api-key-env; default: $AGENTBENCH_API_KEY)')
    .option('--api-key-env <name>', 'read the client API key from this environment variable')
    .option('--backend-api-key <key>', 'key sent to backends (default: $AGENTBENCH_BACKEND_API_KEY; without one, the client\'s header is passed through when the router has no key)')
    .option('--block-size <n>', 'KV block size of the prompt hashes given to the policy', numberFlag(1, 1024, true), 16)
    .option('--seed <n>', 'seed of the policy\'s random stream', numberFlag(0, Number.MAX_SAFE_INTEGER, true), 1)
    .option('--health-interval-ms <ms>', 'time between health checks of each backend', numberFlag(10), 1000)
    .option('--health-timeout-ms <ms>', 'a health check without answer within this fails', numberFlag(1), 1000)
    .option('--unhealthy-threshold <n>', 'failed checks in a row before a backend is taken out', numberFlag(1, 100, true), 2)
    .option('--scrape-interval-ms <ms>', 'time between /metrics scrapes of each backend (0: off)', numberFlag(0), 1000)
    .option('--max-attempts <n>', 'attempts per request, counting the first: a connection failure before any response excludes that backend and re-sends (production-stack default 1; the simulator\'s router.retry.maxAttempts)', numberFlag(1, 16, true), ROUTER_DEFAULTS.retry.maxAttempts)
    .option('--upstream-timeout-ms <ms>', 'idle timeout of an attempt: nothing from the backend for this long fails it (default: none, as production-stack; the simulator\'s router.retry.timeoutS)', numberFlag(1))
    .option('--first-token-timeout-ms <ms>', 'an attempt with no response byte this long after it was sent fails and may be re-sent (default: none)', numberFlag(1))
    .option('--move-on-down', 'when health checks mark a backend down, re-send at once its requests that got nothing yet (default: they wait, as production-stack)')
    .option('--outlier-consecutive-5xx <n>', `eject a backend after this many 5xx / connection failures in a row (Envoy consecutive_5xx, its default ${ENVOY_OUTLIER_DEFAULTS.consecutive5xx}; default: off, as production-stack)`, numberFlag(1, 1000, true))
    .option('--outlier-base-ejection-ms <ms>', 'ejection time × the number of ejections (Envoy base_ejection_time)', numberFlag(1), ENVOY_OUTLIER_DEFAULTS.baseEjectionUs / 1000)
    .option('--outlier-max-ejection-percent <p>', 'most backends ejected at once, % (at least one; Envoy max_ejection_percent)', numberFlag(0, 100), ENVOY_OUTLIER_DEFAULTS.maxEjectionPercent)
    .option('--max-body-bytes <n>', 'largest request body; past it a 413', numberFlag(1024, 1024 ** 3, true), MAX_BODY_BYTES)
    .option('--strip-workflow-fields', 'remove workflow_metadata / workflow_id / agent_id and X-Workflow-* headers before forwarding')
    .option('--workflow-ttl-s <s>', 'forget a workflow (and its agent messages) idle this long', numberFlag(1), 300)
    .option('--max-queue <n>', 'agent-to-agent messages queued per agent', numberFlag(1, 1e6, true), DEFAULT_WORKFLOW_STORE.maxQueue)
    .option('--max-workflows <n>', 'workflows tracked at once (least recently seen dropped first)', numberFlag(1, 1e7, true), DEFAULT_WORKFLOW_STORE.maxWorkflows)
    .option('--max-message-bytes <n>', 'largest agent-to-agent message (413 past it)', numberFlag(1, 1024 ** 3, true), DEFAULT_WORKFLOW_STORE.maxMessageBytes)
    .option('--max-agents-per-workflow <n>', 'agents per workflow (429 past it)', numberFlag(1, 1e6, true), DEFAULT_WORKFLOW_STORE.maxAgentsPerWorkflow)
    .option('--max-queued-bytes <n>', 'bytes of agent messages queued over all workflows (429 past it)', numberFlag(1, 64 * 1024 ** 3, true), DEFAULT_WORKFLOW_STORE.maxTotalBytes)
    .action(async (o: RouterFlags) => {
      const backendKey = o.backendApiKey ?? process.env['AGENTBENCH_BACKEND_API_KEY'];
      const upstreams = parseBackends(o.backend ?? [], o.backendsFile, backendKey);
      let raw: unknown = o.routing;
      if (o.routing.trim().startsWith('{')) {
        try {
          raw = JSON.parse(o.routing) as unknown;
        } catch (e) {
          throw new InputError([`--routing: invalid JSON: ${(e as Error).message}`]);
        }
      }
      // A user module (`--routing '{"module": "./my-router.js", ...options}'`, relative to the current folder) as in a scenario.
      const spec = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['module'] : undefined;
      const modules = new Map<string, string>(typeof spec === 'string' ? [[spec, await loadPolicyModule(spec, process.cwd(), '--routing module', 'the current folder')]] : []);
      const ref = withPolicyModules(modules, () => policyRefSchema(ROUTING_POLICIES, 'routing policy', true).safeParse(raw));
      if (!ref.success) throw new InputError(ref.error.issues.map((i) => `--routing${i.path.map((k) => `.${String(k)}`).join('')}: ${i.message}`));
      const policy = instantiatePolicy('routing', ref.data, { blockSize: o.blockSize });
      // The live stack (HTTP server, undici) is loaded only by the commands that serve.
      const [{ startRouterServer }, { WallClock }] = await Promise.all([import('../live/router/router-server.js'), import('../live/wall-clock.js')]);
      const router = await startRouterServer({
        upstreams, policy, rng: new SeededRng(o.seed).fork('routing'), clock: new WallClock(), blockSize: o.blockSize,
        host: o.host, port: o.port, apiKey: apiKeyFrom(o.apiKey, o.apiKeyEnv), maxBodyBytes: o.maxBodyBytes,
        health: { intervalMs: o.healthIntervalMs, timeoutMs: o.healthTimeoutMs, unhealthyThreshold: o.unhealthyThreshold, scrapeIntervalMs: o.scrapeIntervalMs },
        router: {
          retry: { ...ROUTER_DEFAULTS.retry, maxAttempts: o.maxAttempts },
          timeoutUs: o.upstreamTimeoutMs === undefined ? ROUTER_DEFAULTS.timeoutUs : o.upstreamTimeoutMs * 1000,
          ...(o.firstTokenTimeoutMs !== undefined ? { firstTokenTimeoutUs: o.firstTokenTimeoutMs * 1000 } : {}),
          ...(o.moveOnDown === true ? { moveOnMarkedDown: true } : {}),
          ...(o.outlierConsecutive5xx !== undefined ? {
            outlierDetection: {
              ...ENVOY_OUTLIER_DEFAULTS, consecutive5xx: o.outlierConsecutive5xx, baseEjectionUs: o.outlierBaseEjectionMs * 1000, maxEjectionPercent: o.outlierMaxEjectionPercent,
            },
          } : {}),
        },
        stripWorkflowFields: o.stripWorkflowFields === true,
        workflowStore: {
          ttlMs: o.workflowTtlS * 1000, maxQueue: o.maxQueue, maxWorkflows: o.maxWorkflows, maxMessageBytes: o.maxMessageBytes,
          maxAgentsPerWorkflow: o.maxAgentsPerWorkflow, maxTotalBytes: o.maxQueuedBytes,
        },
      });
      for (const u of router.upstreams) {
        if (u.keyRefused) process.stderr.write(`warning: backend ${u.id} (${u.url}) refuses the router's key (GET /v1/models: 401/403); check --backend-api-key or its apiKeyEnv\n`);
      }
      process.stdout.write(`agentbench router: ${policy.name} over ${upstreams.map((u) => `${u.id}=${u.url}`).join(', ')} at ${router.url}\n`);
      const file = o.backendsFile;
      const watcher = file === undefined ? undefined : new BackendsFileWatcher({
        file, initial: upstreams, pollMs: o.backendsPollMs,
        load: () => parseBackends(o.backend ?? [], file, backendKey),
        apply: (specs) => router.setUpstreams(specs),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      watcher?.start();
      await untilSignal();
      watcher?.close();
      await router.close();
    });
}
