import type { InstanceView, RouteRequest, RoutingPolicy, Rng } from '../policies/types.js';
import { PRODUCTION_STACK_RETRY, routerBackoffUs, type RouterRetryConfig } from '../policies/recovery/router-retry.js';

/** A router's request-level recovery settings, the same in simulation and live. */
export interface RouterCoreOptions {
  /**
   * Idle timeout of one attempt, µs: an attempt the client has heard nothing from (no response
   * byte, no token) for this long is abandoned, like an HTTP client's read timeout (Infinity:
   * never). The simulated router arms a timer; the HTTP router hands it to undici as its
   * headers and body timeouts, which measure the same idle gap.
   */
  readonly timeoutUs: number;
  readonly retry: RouterRetryConfig;
}

/**
 * The router defaults, stated once for both worlds: production-stack's (one attempt; its
 * backoff schedule; no request timeout: its proxy waits for the engine as long as the client
 * does — src/vllm_router/services/request_service/request.py streams with no client timeout).
 */
export const ROUTER_DEFAULTS: RouterCoreOptions = { timeoutUs: Infinity, retry: PRODUCTION_STACK_RETRY };

/** Where one request stands in the router: production-stack's RetryState. */
export class RetryState {
  /** Attempts started so far. */
  attempts = 0;
  /** Backoffs taken so far (production-stack's retries_used). */
  backoffs = 0;
  /** Instances this request already failed on (production-stack's excluded set); null: none. */
  excluded: string[] | null = null;
  /** A token (or response byte) reached the client: from now on errors go to the client as they are. */
  streaming = false;
}

/** What the router does next with a request. */
export type RouteStep =
  | { readonly kind: 'send'; readonly instanceId: string }
  | { readonly kind: 'backoff'; readonly delayUs: number }
  | { readonly kind: 'reject'; readonly reason: string };

/**
 * The one request path of a router, shared by the simulated cluster (SimRouter) and the HTTP
 * router server: ask the policy with the current views minus the instances this request
 * already failed on; count attempts; when every candidate is excluded and budget is left, clear
 * the exclusions and back off (production-stack RetryState.attempts(), RetryConfig
 * backoff_seconds); decide after a failed attempt whether to re-send (a transport failure —
 * connection refused or reset, timeout, a 5xx before any byte — that reached the client with
 * nothing, within `maxAttempts`). Pure: no I/O, time only through the callers' `nowUs`,
 * randomness only from the injected streams. Transport (engine or HTTP) is the caller's.
 */
export class RouterCore {
  readonly options: RouterCoreOptions;
  readonly #rng: Rng;
  readonly #retryRng: Rng;

  /** `rng`: routing draws; `retryRng`: backoff jitter (its own stream, so retries never shift routing draws). */
  constructor(rng: Rng, retryRng: Rng, options: RouterCoreOptions = ROUTER_DEFAULTS) {
    this.#rng = rng;
    this.#retryRng = retryRng;
    this.options = options;
  }

  /**
   * Route (or re-route) a request. On 'send' the policy has been told (`onRouted`) and, when
   * `countAttempt`, the attempt is counted (a disaggregated decode phase is not a new attempt).
   */
  next(state: RetryState, policy: RoutingPolicy, route: RouteRequest, views: readonly InstanceView[], countAttempt = true): RouteStep {
    const excluded = state.excluded;
    const candidates = excluded === null ? views : views.filter((v) => !excluded.includes(v.id));
    const decision = policy.route(route, candidates, this.#rng);
    if (typeof decision !== 'string') {
      if (excluded !== null && state.attempts < this.options.retry.maxAttempts) {
        // Every candidate is excluded, but the failures may be transient.
        state.excluded = null;
        return { kind: 'backoff', delayUs: routerBackoffUs(this.options.retry, state.backoffs++, this.#retryRng) };
      }
      return { kind: 'reject', reason: `router: ${decision.reject}` };
    }
    policy.onRouted?.(route, decision);
    if (countAttempt) state.attempts++;
    return { kind: 'send', instanceId: decision };
  }

  /** An attempt's answer reached the client and ended the request there (`ok`: a success). */
  finished(policy: RoutingPolicy, route: RouteRequest, instanceId: string, ok: boolean): void {
    policy.onFinished?.(route, instanceId, ok);
  }

  /**
   * An attempt on `instanceId` failed. Returns true when the request should be re-sent (the
   * instance is then excluded for it), false when the failure ends the request: not a transport
   * failure, something already reached the client, or the attempt budget is spent.
   */
  failed(state: RetryState, policy: RoutingPolicy, route: RouteRequest, instanceId: string, transport: boolean): boolean {
    policy.onFinished?.(route, instanceId, false);
    if (!transport || state.streaming || state.attempts >= this.options.retry.maxAttempts) return false;
    (state.excluded ??= []).push(instanceId);
    return true;
  }
}
