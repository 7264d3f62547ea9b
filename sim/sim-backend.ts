import { DECLARED_HINT_KEYS, ROUTE_REQUEST_KEYS, type InstanceView, type RouteRequest, type RoutingPolicy, type Rng, type TierOverlap } from '../policies/types.js';
import { hashBlocks, rootHash } from '../policies/kv/hash.js';
import type { Backend, CallHandlers, LlmCall } from '../workloads/backend.js';
import { addToShape, emptyShape, resetShape } from './cost-model/types.js';
import type { EngineRequest } from './engine/engine-request.js';
import type { SimClock } from './sim-clock.js';
import type { SimInstance } from './cluster/instance.js';
import { RoutedCall } from './routed-call.js';
import { routeRequestOf } from './call-meta.js';
import type { SimKvConnector } from './kv-tiers/connector.js';
import type { KvLedger } from './kv-tiers/ledger.js';
import { DEFAULT_ROUTER_OPTIONS, SimRouter, type SimRouterOptions } from './sim-router.js';

/** Mutable view object, refreshed in place (policies get it read-only). */
class LiveView implements InstanceView {
  healthy = true;
  running = 0;
  waiting = 0;
  kvBlocksUsed = 0;
  kvBlocksTotal = 0;
  inflightPrefillTokens = 0;
  inflightDecodeTokens = 0;
  readonly cachedPrefixBlocks: (blocks: readonly number[]) => number;
  readonly cachedPrefixTiers?: (blocks: readonly number[], out: TierOverlap) => void;
  constructor(readonly id: string, readonly instance: SimInstance, tiers: SimKvConnector | null, nowUs: () => number) {
    this.cachedPrefixBlocks = (blocks) => instance.engine.kv.cachedPrefixBlocks(blocks);
    if (tiers?.hasTiers) {
      this.cachedPrefixTiers = (blocks, out) => tiers.overlap(blocks, instance.engine.kv.cachedPrefixBlocks(blocks), nowUs(), out);
    }
  }
  refresh(): void {
    const e = this.instance.engine;
    this.healthy = this.instance.healthy;
    this.running = e.numRunning;
    this.waiting = e.numWaiting;
    this.kvBlocksUsed = e.kv.pool.numUsed;
    this.kvBlocksTotal = e.kv.pool.numBlocks;
    this.inflightPrefillTokens = e.pendingPrefillTokens;
    this.inflightDecodeTokens = e.decodingContextTokens;
  }
}

/** Options of the simulated backend. */
export interface SimBackendOptions {
  readonly blockSize: number;
  /** Views are refreshed at most this often (0: every routing decision sees the exact state). */
  readonly viewRefreshUs: number;
  /** Check the oracle boundary on every RouteRequest (test and --check runs). */
  readonly check: boolean;
  /** The router's timeout and retry settings (default: one attempt, no timeout). */
  readonly router?: Omit<SimRouterOptions, 'check'> | undefined;
  /** Stream for router backoff jitter (default: forked from the routing stream). */
  readonly retryRng?: Rng | undefined;
  /** Told about every attempt that finished well (the lost-KV ledger reads its prefill). */
  readonly onAttemptOk?: ((req: EngineRequest, instance: SimInstance, hashes: readonly number[]) => void) | undefined;
  /** Each instance's KV connector (same order as the instances), where it has KV tiers. */
  readonly connectors?: readonly SimKvConnector[] | undefined;
  /** Prefill/decode disaggregation: the prefill pool's routing policy and the phase ledger. */
  readonly disaggregation?: { readonly prefillPolicy: RoutingPolicy; readonly ledger: KvLedger } | undefined;
}

/**
 * The simulated cluster as a workflow Backend: hashes each call's blocks, builds the routers'
 * InstanceViews from the engines (exact, or stale by `viewRefreshUs`), and hands each request
 * to the {@link SimRouter}, which asks the routing policy and sends it into the chosen
 * instance's EngineCore (with production-stack's timeouts and retries when configured).
 */
export class SimBackend implements Backend {
  readonly instances: readonly SimInstance[];
  readonly policy: RoutingPolicy;
  /** The request path: routing, attempts, timeouts, retries, crashes. */
  readonly router: SimRouter;
  readonly #byId = new Map<string, SimInstance>();
  readonly #views: LiveView[];
  readonly #routedViews: LiveView[];
  readonly #prefillViews: LiveView[];
  readonly #clock: SimClock;
  readonly #opts: SimBackendOptions;
  readonly #root = rootHash();
  #viewsAtUs = -Infinity;

  constructor(clock: SimClock, instances: readonly SimInstance[], policy: RoutingPolicy, rng: Rng, opts: SimBackendOptions) {
    this.#clock = clock;
    this.instances = instances;
    this.policy = policy;
    this.#opts = opts;
    for (const i of instances) this.#byId.set(i.id, i);
    const now = (): number => clock.nowUs();
    this.#views = instances.map((i, k) => new LiveView(i.id, i, opts.connectors?.[k] ?? null, now));
    // Disaggregated: the routing policy sees the decode pool, the prefill policy the prefill pool.
    this.#routedViews = opts.disaggregation ? this.#views.filter((v) => v.instance.role === 'decode') : this.#views;
    this.#prefillViews = this.#views.filter((v) => v.instance.role === 'prefill');
    const pd = opts.disaggregation;
    this.router = new SimRouter(
      {
        clock, policy, rng, retryRng: opts.retryRng ?? rng.fork('router-retry'),
        instance: (id) => this.#byId.get(id),
        views: () => this.#refreshedViews(this.#routedViews),
        routeRequest: (call, blocks, nowUs) => this.#routeRequest(call, blocks, nowUs),
        ...(opts.onAttemptOk ? { onAttemptOk: opts.onAttemptOk } : {}),
        ...(pd ? { disaggregation: { prefillPolicy: pd.prefillPolicy, ledger: pd.ledger, prefillViews: () => this.#refreshedViews(this.#prefillViews) } } : {}),
      },
      { ...DEFAULT_ROUTER_OPTIONS, ...opts.router, check: opts.check },
    );
  }

  /** Calls submitted and not yet ended. */
  get inflight(): number {
    return this.router.inflight;
  }

  instance(id: string): SimInstance | undefined {
    return this.#byId.get(id);
  }

  submit(call: LlmCall, handlers: CallHandlers): void {
    const now = this.#clock.nowUs();
    const bs = this.#opts.blockSize;
    const hashes = hashBlocks([...call.prompt, { key: call.outputKey, start: 0, length: call.outputTokens }], bs, this.#root);
    const promptBlocks = hashes.slice(0, Math.floor(call.promptTokens / bs));
    const route = this.#routeRequest(call, promptBlocks, now);
    this.router.start(new RoutedCall(call, handlers, route, hashes, promptBlocks, now));
  }

  #refreshedViews(subset: readonly LiveView[]): readonly InstanceView[] {
    const now = this.#clock.nowUs();
    if (this.#viewsAtUs + this.#opts.viewRefreshUs <= now || this.#opts.viewRefreshUs === 0) {
      for (const v of this.#views) v.refresh();
      this.#viewsAtUs = now;
    }
    return subset;
  }

  isolatedLatencyUs(promptTokens: number, cachedPromptTokens: number, outputTokens: number): number {
    const inst = this.instances[0];
    if (!inst) return NaN;
    const e = inst.engine;
    const shape = emptyShape();
    // The API-server front end, then the engine's steps.
    const frontUs = e.frontendUs(promptTokens);
    let t = frontUs;
    // Prefill of the uncached part in budget-sized chunks, alone on the instance.
    for (let done = Math.min(cachedPromptTokens, promptTokens - 1); done < promptTokens;) {
      const n = Math.min(e.config.maxNumBatchedTokens, promptTokens - done);
      resetShape(shape);
      addToShape(shape, done, n, false, done + n >= promptTokens);
      // The first step follows no step: nothing hides its CPU work.
      t += Math.max(1, Math.round(e.stepPriceUs(shape, t === frontUs)));
      done += n;
    }
    if (outputTokens > 1) {
      // Decode steps priced at the mean context: exact while step time is linear in context
      // (memory-bound decode); floored so the sum stays a lower bound of per-step rounding.
      resetShape(shape);
      addToShape(shape, promptTokens + Math.floor(outputTokens / 2), 1, true, true);
      t += (outputTokens - 1) * Math.max(1, Math.floor(e.costModel.stepTimeUs(shape)));
    }
    return t;
  }

  #routeRequest(call: LlmCall, promptBlocks: number[], nowUs: number): RouteRequest {
    const r = routeRequestOf(call.id, call, { promptBlocks, promptTokens: call.promptTokens }, call.maxTokens, nowUs);
    if (this.#opts.check) {
      for (const k of Object.keys(r)) {
        if (!(ROUTE_REQUEST_KEYS as readonly string[]).includes(k)) throw new Error(`oracle boundary: RouteRequest carries '${k}'`);
      }
      for (const k of Object.keys(call.hints ?? {})) {
        if (!(DECLARED_HINT_KEYS as readonly string[]).includes(k)) throw new Error(`oracle boundary: hint '${k}' is not a declared hint`);
      }
      Object.freeze(r);
    }
    return r;
  }
}
