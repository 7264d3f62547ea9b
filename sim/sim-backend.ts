import { DECLARED_HINT_KEYS, ROUTE_REQUEST_KEYS, type InstanceView, type RouteRequest, type RoutingPolicy, type Rng } from '../policies/types.js';
import { hashBlocks, rootHash } from '../policies/kv/hash.js';
import type { Backend, CallHandlers, CallResult, LlmCall } from '../workloads/backend.js';
import { addToShape, emptyShape, resetShape } from './cost-model/types.js';
import type { EngineListener, EngineRequest } from './engine/engine-request.js';
import type { SimClock } from './sim-clock.js';
import type { SimInstance } from './cluster/instance.js';

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
  constructor(readonly id: string, readonly instance: SimInstance) {
    this.cachedPrefixBlocks = (blocks) => instance.engine.kv.cachedPrefixBlocks(blocks);
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
}

/** One call in flight inside the simulated cluster: the engine's listener for its request. */
export class SimCall implements EngineListener {
  firstTokenUs = -1;
  constructor(
    readonly backend: SimBackend,
    readonly handlers: CallHandlers,
    readonly route: RouteRequest,
    readonly instance: SimInstance,
    readonly sendUs: number,
  ) {}

  onToken(_req: EngineRequest, nowUs: number, first: boolean): void {
    if (first) this.firstTokenUs = nowUs;
    this.handlers.onToken(nowUs, first);
  }

  onFinished(req: EngineRequest, nowUs: number): void {
    this.backend.inflight--;
    this.backend.policy.onFinished?.(this.route, this.instance.id, true);
    const result: CallResult = {
      instance: this.instance.id,
      firstTokenUs: this.firstTokenUs,
      endUs: nowUs,
      queueUs: req.firstScheduledUs - this.sendUs,
      promptTokens: req.promptTokens,
      cachedPromptTokens: Math.max(0, req.numCachedTokens),
      crossAgentCachedTokens: req.crossAgentCachedTokens,
      outputTokens: req.numOutputTokens,
      preemptions: req.preemptions,
    };
    this.handlers.onDone(result);
  }
}

/**
 * The simulated cluster as a workflow Backend: hashes each call's blocks, builds the routers'
 * InstanceViews from the engines (exact, or stale by `viewRefreshUs`), asks the routing policy,
 * and hands the request to the chosen instance's EngineCore.
 */
export class SimBackend implements Backend {
  readonly instances: readonly SimInstance[];
  readonly policy: RoutingPolicy;
  /** Calls submitted and not yet ended. */
  inflight = 0;
  readonly #byId = new Map<string, SimInstance>();
  readonly #views: LiveView[];
  readonly #clock: SimClock;
  readonly #rng: Rng;
  readonly #opts: SimBackendOptions;
  readonly #root = rootHash();
  #viewsAtUs = -Infinity;

  constructor(clock: SimClock, instances: readonly SimInstance[], policy: RoutingPolicy, rng: Rng, opts: SimBackendOptions) {
    this.#clock = clock;
    this.instances = instances;
    this.policy = policy;
    this.#rng = rng;
    this.#opts = opts;
    for (const i of instances) this.#byId.set(i.id, i);
    this.#views = instances.map((i) => new LiveView(i.id, i));
  }

  instance(id: string): SimInstance | undefined {
    return this.#byId.get(id);
  }

  submit(call: LlmCall, handlers: CallHandlers): void {
    const now = this.#clock.nowUs();
    this.inflight++;
    const bs = this.#opts.blockSize;
    const hashes = hashBlocks([...call.prompt, { key: call.outputKey, start: 0, length: call.outputTokens }], bs, this.#root);
    const route = this.#routeRequest(call, hashes.slice(0, Math.floor(call.promptTokens / bs)), now);
    if (this.#viewsAtUs + this.#opts.viewRefreshUs <= now || this.#opts.viewRefreshUs === 0) {
      for (const v of this.#views) v.refresh();
      this.#viewsAtUs = now;
    }
    const decision = this.policy.route(route, this.#views, this.#rng);
    if (typeof decision !== 'string') {
      this.#fail(handlers, { outcome: 'rejected', reason: `router: ${decision.reject}`, endUs: now });
      return;
    }
    const inst = this.#byId.get(decision);
    if (!inst) {
      this.#fail(handlers, { outcome: 'failed', reason: `router chose unknown instance '${decision}'`, endUs: now });
      return;
    }
    this.policy.onRouted?.(route, inst.id);
    if (!inst.up) {
      // Sent to a dead process: the connection is refused at once.
      this.policy.onFinished?.(route, inst.id, false);
      this.#fail(handlers, { outcome: 'failed', reason: `instance ${inst.id} is down (connection refused)`, instance: inst.id, endUs: now });
      return;
    }
    const added = inst.engine.add(
      {
        id: call.id, promptTokens: call.promptTokens, blockHashes: hashes, outputTokens: call.outputTokens,
        priority: call.priority, workflowId: call.workflowId, agentId: call.agentId, hints: call.hints,
        expectedReuseUs: call.expectedReuseUs,
        listener: new SimCall(this, handlers, route, inst, now),
      },
      now,
    );
    if ('reject' in added) {
      this.policy.onFinished?.(route, inst.id, false);
      this.#fail(handlers, { outcome: 'rejected', reason: `engine ${inst.id}: ${added.reject}`, instance: inst.id, endUs: now });
      return;
    }
    inst.kick();
  }

  isolatedLatencyUs(promptTokens: number, cachedPromptTokens: number, outputTokens: number): number {
    const inst = this.instances[0];
    if (!inst) return NaN;
    const e = inst.engine;
    const shape = emptyShape();
    let t = 0;
    // Prefill of the uncached part in budget-sized chunks, alone on the instance.
    for (let done = Math.min(cachedPromptTokens, promptTokens - 1); done < promptTokens;) {
      const n = Math.min(e.config.maxNumBatchedTokens, promptTokens - done);
      resetShape(shape);
      addToShape(shape, done, n, false, done + n >= promptTokens);
      t += Math.max(1, Math.round(e.costModel.stepTimeUs(shape)));
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
    const r: Record<string, unknown> = {
      id: call.id, promptBlocks, promptTokens: call.promptTokens, maxTokens: call.maxTokens, nowUs,
    };
    if (call.workflowId !== undefined) r['workflowId'] = call.workflowId;
    if (call.agentId !== undefined) r['agentId'] = call.agentId;
    if (call.parentRequestId !== undefined) r['parentRequestId'] = call.parentRequestId;
    if (call.priority !== undefined) r['priority'] = call.priority;
    if (call.sessionKey !== undefined) r['sessionKey'] = call.sessionKey;
    if (call.hints !== undefined) r['hints'] = call.hints;
    if (this.#opts.check) {
      for (const k of Object.keys(r)) {
        if (!(ROUTE_REQUEST_KEYS as readonly string[]).includes(k)) throw new Error(`oracle boundary: RouteRequest carries '${k}'`);
      }
      for (const k of Object.keys(call.hints ?? {})) {
        if (!(DECLARED_HINT_KEYS as readonly string[]).includes(k)) throw new Error(`oracle boundary: hint '${k}' is not a declared hint`);
      }
      Object.freeze(r);
    }
    return r as unknown as RouteRequest;
  }

  // Errors are delivered from the event loop, never from inside submit(), so callers see one
  // ordering whether a call fails at once or later.
  #fail(handlers: CallHandlers, err: Parameters<CallHandlers['onError']>[0]): void {
    this.#clock.at(this.#clock.nowUs(), 'timer', () => {
      this.inflight--;
      handlers.onError(err);
    });
  }
}
