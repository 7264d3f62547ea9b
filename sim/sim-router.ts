import type { InstanceView, RouteRequest, RoutingPolicy, Rng } from '../policies/types.js';
import type { CallError, LlmCall } from '../workloads/backend.js';
import type { SimInstance } from './cluster/instance.js';
import type { EngineRequest } from './engine/engine-request.js';
import type { SimClock } from './sim-clock.js';
import type { KvLedger } from './kv-tiers/ledger.js';
import { Attempt, type AttemptHost, type RoutedCall } from './routed-call.js';
import { engineRequestOf } from './call-meta.js';
import { ROUTER_DEFAULTS, RouterCore, type RouterCoreOptions } from './router-core.js';

/** The simulated router's settings: the shared router options, plus the invariant check. */
export interface SimRouterOptions extends RouterCoreOptions {
  /** Throw when a policy routes to an instance the router knows is down (tests, --check). */
  readonly check: boolean;
}

/** Default: {@link ROUTER_DEFAULTS}, no check. */
export const DEFAULT_ROUTER_OPTIONS: SimRouterOptions = { ...ROUTER_DEFAULTS, check: false };

/** What the router needs from the backend that owns it. */
export interface RouterDeps {
  readonly clock: SimClock;
  readonly policy: RoutingPolicy;
  /** Routing draws. */
  readonly rng: Rng;
  /** Backoff jitter draws (a separate stream, so retries never shift routing draws). */
  readonly retryRng: Rng;
  instance(id: string): SimInstance | undefined;
  /** The views routing decisions see (refreshed as configured). */
  views(): readonly InstanceView[];
  /** A fresh RouteRequest for a re-sent call. */
  routeRequest(call: LlmCall, promptBlocks: number[], nowUs: number): RouteRequest;
  /** An attempt finished well on `instance` (e.g. the lost-KV ledger looks at its prefill). */
  onAttemptOk?(req: EngineRequest, instance: SimInstance, hashes: readonly number[]): void;
  /** Disaggregated prefill: how the prefill pool is routed and what the phases are logged to. */
  readonly disaggregation?: {
    readonly prefillPolicy: RoutingPolicy;
    prefillViews(): readonly InstanceView[];
    readonly ledger: KvLedger;
  } | undefined;
}

/**
 * The simulated router: the shared {@link RouterCore} (policy call, exclusion, attempts,
 * backoff) over simulated transport — sending into an instance's engine, connections refused by
 * dead instances, held by partitions, idle timeouts. A connection refused / reset or a timeout
 * before the first token excludes the instance and re-sends the request elsewhere, within
 * `maxAttempts`. Each request ends exactly once towards
 * the client; every abandoned attempt is reported through `onAttemptFailed` first. Errors are
 * delivered from the event loop, never from inside `start()`.
 *
 * Disaggregated (production-stack's disaggregated_prefill, orchestrated): a request first goes
 * to the prefill pool with max_tokens 1 (the prefill policy picks the instance); its token is
 * not streamed; the prefill instance keeps the prompt's KV; then the request goes to the decode
 * pool (the routing policy picks), whose instance pulls the KV (its connector) and streams the
 * answer. A failed attempt in either phase starts again from the prefill phase.
 */
export class SimRouter implements AttemptHost {
  /** Calls started and not yet ended. */
  inflight = 0;
  readonly #d: RouterDeps;
  readonly #o: SimRouterOptions;
  readonly #open = new Map<SimInstance, Set<Attempt>>();
  readonly #core: RouterCore;

  constructor(deps: RouterDeps, opts: SimRouterOptions) {
    this.#d = deps;
    this.#o = opts;
    this.#core = new RouterCore(deps.rng, deps.retryRng, opts);
  }

  /** Attempts in progress on an instance (sent, connecting, or holding an answer). */
  openAttempts(inst: SimInstance): number {
    return this.#open.get(inst)?.size ?? 0;
  }

  /** Route a new request (called inside Backend.submit). */
  start(rc: RoutedCall): void {
    this.inflight++;
    if (this.#d.disaggregation) rc.phase = 'prefill';
    this.#route(rc, true);
  }

  /**
   * The instance's process died: its engine loses every request, and each attempt on it fails
   * as a reset connection (re-sent elsewhere if it had not streamed yet and budget is left).
   * Returns how many attempts it killed.
   */
  crash(inst: SimInstance): number {
    const now = this.#d.clock.nowUs();
    const victims = [...(this.#open.get(inst) ?? [])];
    const errors = victims.map((a) => this.#error(a, 'failed', `instance ${inst.id} crashed (connection reset)`, now));
    inst.cancelStep();
    inst.engine.abortAll(now);
    victims.forEach((a, k) => this.#attemptFailed(a, errors[k]!, true, false));
    return victims.length;
  }

  /**
   * The health checks marked the instance down. With `moveOnMarkedDown`, each attempt on it
   * that has delivered no token fails now (the router closes the connection; the engine aborts
   * the request) and is re-sent elsewhere within the budget. Returns how many it moved.
   */
  markedDown(inst: SimInstance): number {
    if (this.#o.moveOnMarkedDown !== true) return 0;
    const now = this.#d.clock.nowUs();
    const victims = [...(this.#open.get(inst) ?? [])].filter((a) => !a.gotToken);
    for (const a of victims) {
      const err = this.#error(a, 'failed', `instance ${inst.id} marked down by health checks before its first token`, now);
      if (a.state === 'sent') inst.engine.abort(a.rc.call.id, now);
      this.#attemptFailed(a, err, true, false);
    }
    if (victims.length > 0) inst.kick();
    return victims.length;
  }

  /**
   * The instance became reachable again (partition healed, hang over): pending connections go
   * through and held-back answers arrive now, as one chunk.
   */
  reachable(inst: SimInstance): void {
    const set = this.#open.get(inst);
    if (set && set.size > 0) {
      const now = this.#d.clock.nowUs();
      for (const a of [...set]) {
        if (a.state === 'connecting') {
          a.state = 'sent';
          a.lastSeenUs = now;
          this.#send(a, false);
          continue;
        }
        if (a.heldToken) {
          const first = a.heldFirst;
          a.heldToken = a.heldFirst = false;
          this.attemptToken(a, now, first);
        }
        const fin = a.heldFinish;
        if (fin) {
          a.heldFinish = null;
          this.attemptFinished(a, fin, now);
        }
      }
    }
    inst.kick();
  }

  attemptToken(a: Attempt, nowUs: number, first: boolean): void {
    if (a.state !== 'sent') return;
    a.lastSeenUs = nowUs;
    a.gotToken = true;
    if (a.phase === 'prefill') return; // the prefill's token is the router's, not the client's
    if (first) a.firstTokenUs = nowUs;
    a.rc.streaming = true;
    // Tokens handed over in bulk since the last one delivered here reached the client first.
    const bulkUs = a.req === null ? -1 : a.req.bulkTokenUs;
    if (bulkUs >= 0) a.rc.handlers.tokensUntil?.(bulkUs);
    a.rc.handlers.onToken(nowUs, first);
  }

  attemptFinished(a: Attempt, req: EngineRequest, nowUs: number): void {
    if (a.state !== 'sent') return;
    this.#release(a);
    const rc = a.rc;
    if (a.phase === 'prefill') {
      this.#prefillDone(a, req, nowUs);
      return;
    }
    this.#core.finished(this.#d.policy, rc.route, a.instance.id, true, nowUs);
    this.#d.onAttemptOk?.(req, a.instance, rc.hashes);
    const pd = a.phase === 'decode';
    rc.ended = true;
    this.inflight--;
    rc.handlers.onDone({
      instance: a.instance.id,
      firstTokenUs: a.firstTokenUs,
      endUs: nowUs,
      // Disaggregated: the queue and the prefix hits are the prefill instance's (the decode
      // instance's "cached" tokens are the ones it pulled).
      queueUs: pd ? rc.prefillQueueUs : req.firstScheduledUs - a.sendUs,
      promptTokens: req.promptTokens,
      cachedPromptTokens: pd ? rc.prefillCachedTokens : Math.max(0, req.numCachedTokens),
      crossAgentCachedTokens: pd ? rc.prefillCrossAgentTokens : req.crossAgentCachedTokens,
      outputTokens: req.numOutputTokens,
      preemptions: req.preemptions + (pd ? rc.prefillPreemptions : 0),
    });
  }

  // The prefill phase is over: the prompt's KV waits on the prefill instance; route the decode.
  #prefillDone(a: Attempt, req: EngineRequest, nowUs: number): void {
    const rc = a.rc;
    const pd = this.#d.disaggregation!;
    this.#core.finished(pd.prefillPolicy, rc.prefillRoute!, a.instance.id, true, nowUs);
    pd.ledger.prefillDone(rc.call.id, a.instance.id, nowUs);
    rc.prefillInstance = a.instance;
    rc.prefillCachedTokens = Math.max(0, req.numCachedTokens);
    rc.prefillCrossAgentTokens = req.crossAgentCachedTokens;
    rc.prefillPreemptions = req.preemptions;
    rc.prefillQueueUs = req.firstScheduledUs - a.sendUs;
    rc.phase = 'decode';
    this.#route(rc, false);
  }

  // A disaggregated request leaves the decode phase without its KV pulled: free it on the prefill instance.
  #dropPrefill(rc: RoutedCall): void {
    const p = rc.prefillInstance;
    rc.prefillInstance = null;
    if (rc.phase === 'decode') rc.phase = 'prefill';
    if (p && p.engine.releaseHeld(rc.call.id, this.#d.clock.nowUs())) p.kick();
  }

  #route(rc: RoutedCall, sync: boolean): void {
    const d = this.#d;
    const now = d.clock.nowUs();
    const prefill = rc.phase === 'prefill';
    const policy = prefill ? d.disaggregation!.prefillPolicy : d.policy;
    const route = prefill ? (rc.prefillRoute ??= { ...rc.route, maxTokens: 1 }) : rc.route;
    const step = this.#core.next(rc, policy, route, prefill ? d.disaggregation!.prefillViews() : d.views(), now, rc.phase !== 'decode');
    if (step.kind === 'backoff') {
      d.clock.at(now + step.delayUs, 'timer', () => this.#resend(rc));
      return;
    }
    if (step.kind === 'reject') {
      this.#end(rc, { outcome: 'rejected', reason: step.reason, endUs: now, retryable: true }, sync);
      return;
    }
    const inst = d.instance(step.instanceId);
    if (!inst) {
      this.#end(rc, { outcome: 'failed', reason: `router chose unknown instance '${step.instanceId}'`, endUs: now, retryable: false }, sync);
      return;
    }
    if (this.#o.check && !inst.healthy) {
      throw new Error(`routing invariant: ${policy.name} sent ${rc.call.id} to ${inst.id}, which the router knows is down`);
    }
    const a = new Attempt(this, rc, inst, now);
    rc.current = a;
    if (!inst.up) {
      // A dead process: the connection is refused at once.
      this.#attemptFailed(a, this.#error(a, 'failed', `instance ${inst.id} is down (connection refused)`, now), true, sync);
      return;
    }
    let set = this.#open.get(inst);
    if (!set) this.#open.set(inst, (set = new Set()));
    set.add(a);
    this.#armTimer(a);
    if (inst.partitioned) {
      a.state = 'connecting';
      return;
    }
    this.#send(a, sync);
  }

  #resend(rc: RoutedCall): void {
    rc.route = this.#d.routeRequest(rc.call, rc.promptBlocks, this.#d.clock.nowUs());
    rc.prefillRoute = null;
    this.#dropPrefill(rc);
    this.#route(rc, false);
  }

  // The request goes through the instance's API-server front end (HTTP, tokenising, the IPC hop
  // to the engine, and the first token's way back: CostModel.frontendUs) before the engine sees
  // it. The attempt is open meanwhile: a timeout, crash or health-check move ends it, and then
  // it never reaches the engine.
  #send(a: Attempt, sync: boolean): void {
    const inst = a.instance;
    const frontendUs = inst.engine.frontendUs(a.rc.call.promptTokens);
    if (frontendUs <= 0) {
      this.#enterEngine(a, sync);
      return;
    }
    const clock = this.#d.clock;
    clock.at(clock.nowUs() + frontendUs, 'timer', () => {
      if (a.state === 'sent') this.#enterEngine(a, false);
    });
  }

  #enterEngine(a: Attempt, sync: boolean): void {
    const c = a.rc.call;
    const inst = a.instance;
    const now = this.#d.clock.nowUs();
    const added = inst.engine.add(
      {
        ...engineRequestOf(c.id, c, { promptTokens: c.promptTokens, blockHashes: a.rc.hashes, outputTokens: a.phase === 'prefill' ? 1 : c.outputTokens }, a),
        ...(a.phase === 'prefill' ? { holdKvOnFinish: true } : {}),
        ...(a.phase === 'decode' && a.rc.prefillInstance ? { kvTransfer: { remoteInstance: a.rc.prefillInstance.id } } : {}),
      },
      now,
    );
    if ('reject' in added) {
      this.#attemptFailed(a, { ...this.#error(a, 'rejected', `engine ${inst.id}: ${added.reject}`, now), retryable: false }, false, sync);
      return;
    }
    a.req = added;
    inst.kick();
  }

  // When the attempt times out if nothing more arrives: its idle timeout, or before its first
  // token the time-to-first-token timeout, whichever is first (Infinity: never).
  #dueUs(a: Attempt): number {
    const ttft = this.#o.firstTokenTimeoutUs ?? Infinity;
    return Math.min(a.lastSeenUs + this.#o.timeoutUs, a.gotToken ? Infinity : a.sendUs + ttft);
  }

  #armTimer(a: Attempt): void {
    const due = this.#dueUs(a);
    if (!Number.isFinite(due)) return;
    a.onTimer = () => this.#onTimer(a);
    a.timer = this.#d.clock.at(due, 'timeout', a.onTimer);
  }

  // One timer per attempt, pushed forward lazily: tokens only move `lastSeenUs`.
  #onTimer(a: Attempt): void {
    a.timer = -1;
    if (a.state === 'ended') return;
    const clock = this.#d.clock;
    const now = clock.nowUs();
    const due = this.#dueUs(a);
    if (due > now) {
      if (Number.isFinite(due)) a.timer = clock.at(due, 'timeout', a.onTimer!);
      return;
    }
    const ttft = !a.gotToken && due === a.sendUs + (this.#o.firstTokenTimeoutUs ?? Infinity);
    const inst = a.instance;
    if (a.state === 'sent') {
      // The router closes the connection; vLLM aborts a request whose client went away.
      inst.engine.abort(a.rc.call.id, now);
      inst.kick();
    }
    const what = a.state === 'connecting' ? 'could not connect to' : ttft ? 'no first token from' : 'no answer from';
    const forS = (ttft ? this.#o.firstTokenTimeoutUs! : this.#o.timeoutUs) / 1e6;
    this.#attemptFailed(a, this.#error(a, 'timeout', `${what} ${inst.id} for ${forS} s`, now), true, false);
  }

  #error(a: Attempt, outcome: CallError['outcome'], reason: string, nowUs: number): CallError {
    const req = a.state === 'sent' ? a.instance.engine.get(a.rc.call.id) : undefined;
    return {
      outcome, reason, instance: a.instance.id, endUs: nowUs, sendUs: a.sendUs,
      ...(a.firstTokenUs >= 0 ? { firstTokenUs: a.firstTokenUs } : {}),
      ...(req ? { outputTokens: req.numOutputTokens, preemptions: req.preemptions } : {}),
    };
  }

  // Remove an attempt from its instance and cancel its timer; true if it was still open.
  #release(a: Attempt): boolean {
    if (a.state === 'ended') return false;
    a.state = 'ended';
    this.#open.get(a.instance)?.delete(a);
    if (a.timer >= 0) this.#d.clock.cancel(a.timer);
    a.timer = -1;
    a.heldFinish = null;
    return true;
  }

  #attemptFailed(a: Attempt, err: CallError, transport: boolean, sync: boolean): void {
    this.#release(a);
    if (sync) {
      this.#d.clock.at(this.#d.clock.nowUs(), 'timer', () => this.#afterFailure(a, err, transport));
      return;
    }
    this.#afterFailure(a, err, transport);
  }

  #afterFailure(a: Attempt, err: CallError, transport: boolean): void {
    const rc = a.rc;
    const prefill = a.phase === 'prefill';
    const policy = prefill ? this.#d.disaggregation!.prefillPolicy : this.#d.policy;
    if (!this.#core.failed(rc, policy, prefill ? rc.prefillRoute! : rc.route, a.instance.id, transport ? 'transport' : 'other', this.#d.clock.nowUs())) {
      this.#end(rc, err, false);
      return;
    }
    rc.handlers.onAttemptFailed?.(err);
    this.#resend(rc);
  }

  #end(rc: RoutedCall, err: CallError, sync: boolean): void {
    if (sync) {
      this.#d.clock.at(this.#d.clock.nowUs(), 'timer', () => this.#end(rc, err, false));
      return;
    }
    if (rc.ended) throw new Error(`request ${rc.call.id} ended twice in the router`);
    this.#dropPrefill(rc);
    rc.ended = true;
    this.inflight--;
    rc.handlers.onError(err);
  }
}
