import type { RouterCoreOptions } from '../../sim/router-core.js';
import { instantiatePolicy } from '../scenario/policy-modules.js';
import type { RoutingPolicy } from '../../policies/types.js';
import { SeededRng } from '../../policies/rng.js';
import type { ResolvedCluster } from '../runner/resolve.js';
import type { PolicyEntry } from '../scenario/schema.js';
import { buildEmulatedEngine } from './engine/build.js';
import { startEngineServer, type EngineServer } from './engine/engine-server.js';
import type { HealthOptions } from './router/monitor.js';
import { startRouterServer, type RouterServer } from './router/router-server.js';
import type { WallClock } from './wall-clock.js';
import { HttpBackend } from './http-backend.js';
import { hashString } from '../../policies/kv/hash.js';

/** A spawned stack: N emulated engines behind one router, all on loopback ephemeral ports. */
export interface LocalStack {
  readonly engines: readonly EngineServer[];
  readonly router: RouterServer;
  /** The router's routing policy object (its counters reach the summary). */
  readonly routing: RoutingPolicy;
  close(): Promise<void>;
}

/** What a local stack is built from. */
export interface LocalStackSpec {
  readonly cluster: ResolvedCluster;
  readonly policy: PolicyEntry;
  /** Seed of the router's RNG stream (forked as `routing`, like the simulator). */
  readonly seed: number;
  readonly clock: WallClock;
  readonly health?: Partial<HealthOptions> | undefined;
  /** Attempts, backoff and idle timeout (the scenario's `router:` section; default ROUTER_DEFAULTS). */
  readonly router?: RouterCoreOptions | undefined;
}

/**
 * Start the cluster's instances as emulated engines (ids i0, i1... as in simulation, each with
 * the policy's scheduling and eviction) and a router running the policy's routing, in this
 * process. Everything binds 127.0.0.1 on ephemeral ports; close() stops all of it.
 */
export async function startLocalStack(spec: LocalStackSpec): Promise<LocalStack> {
  const { cluster, policy, clock } = spec;
  const engines: EngineServer[] = [];
  try {
    for (let i = 0; i < cluster.instances; i++) {
      const engine = buildEmulatedEngine({ cluster, scheduling: policy.scheduling, eviction: policy.eviction, clock });
      engines.push(await startEngineServer({ engine, enableFaultEndpoint: true }));
    }
    const routing = instantiatePolicy('routing', policy.routing, { blockSize: cluster.engine.blockSize });
    const router = await startRouterServer({
      upstreams: engines.map((e, i) => ({ id: `i${i}`, url: e.url })),
      policy: routing,
      rng: new SeededRng(spec.seed).fork('routing'),
      clock,
      blockSize: cluster.engine.blockSize,
      health: spec.health,
      router: spec.router,
      modelLabel: cluster.model.name,
    });
    return {
      engines, router, routing,
      async close() {
        await router.close();
        await Promise.all(engines.map((e) => e.close()));
      },
    };
  } catch (e) {
    await Promise.all(engines.map((x) => x.close()));
    throw e;
  }
}

/**
 * Warm the stack up before measuring: a few requests straight to each engine run the client,
 * tokenizer, hashing, engine and SSE code paths through the JIT (the first requests of a cold
 * process are several times slower), then each engine is reset to an empty cache and zeroed
 * counters. The router is not used, so its policy state (e.g. round-robin's position) is untouched.
 */
export async function warmUpStack(stack: LocalStack, clock: WallClock, model: string, rounds = 3): Promise<void> {
  for (const [k, e] of stack.engines.entries()) {
    const backend = new HttpBackend({ baseUrl: e.url, model, clock, requestTimeoutUs: 60e6, sendOutputKey: true });
    try {
      await sendWarmups(backend, `engine i${k}`, rounds);
    } finally {
      await backend.close();
    }
    e.engine.reset();
  }
}

/** `rounds` unrecorded requests, one after another: a 1,000-token prompt of its own each, 8 output tokens. */
export async function sendWarmups(backend: HttpBackend, label: string, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve, reject) => backend.submit({
      id: `warmup-${label}-${i}`, prompt: [{ key: hashString(`warmup/${label}/${i}`), start: 0, length: 1000 }], promptTokens: 1000,
      outputKey: hashString('warmup/out'), outputTokens: 8, maxTokens: 8,
    }, { onToken() {}, onDone: () => resolve(), onError: (err) => reject(new Error(`warm-up of ${label} failed: ${err.reason}`)) }));
  }
}
