import type { InstanceView, RouteRequest, RoutingPolicy, Rng } from '../policies/types.js';
import { PRODUCTION_STACK_RETRY, routerBackoffUs, type RouterRetryConfig } from '../policies/recovery/router-retry.js';
import { OutlierDetector, type OutlierDetectionConfig } from '../policies/recovery/outlier-detection.js';

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
  /**
   * Time-to-first-token timeout of one attempt, µs (absent or Infinity: none): an attempt with
   * no token (live: no response byte) this long after it was sent is abandoned and, within the
   * budget, re-sent — a hung engine holds a request this long at most, however long the idle
   * timeout of a running stream is.
   */
  readonly firstTokenTimeoutUs?: number | undefined;
  /**
   * Statuses of an answer that arrived before anything reached the client which count as a
   * failed attempt to re-send elsewhere within the budget (default {@link RETRY_ON_STATUS}).
   * Simulated engines answer no statuses, so this only matters live.
   */
  readonly retryOnStatus?: readonly number[] | undefined;
  /**
   * When health checks mark an instance down, fail at once its attempts that have sent the
   * client nothing yet, so the core re-sends them (within the budget) instead of leaving them
   * to a timeout (absent/false: off, as production-stack, whose requests wait).
   */
  readonly moveOnMarkedDown?: boolean | undefined;
  /** Envoy-style passive outlier ejection (absent: off, as production-stack). */
  readonly outlierDetection?: OutlierDetectionConfig | undefined;
}

/** Statuses re-sent by default: 500 and the gateway errors 502/503/504 (Envoy's retry_on "5xx" minus 501, which no retry fixes). */
export const RETRY_ON_STATUS: readonly number[] = [500, 502, 503, 504];

/** How an attempt failed: a transport failure, an HTTP status answered before any byte reached the client, or anything else (an engine's own refusal). */
export type AttemptFailure = 'transport' | 'other' | number;

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
  /** The passive outlier detector (null: off). */
  readonly outliers: OutlierDetector | null;
  readonly #rng: Rng;
  readonly #retryRng: Rng;
  readonly #retryOn: readonly number[];
  /** Backends seen in views so far (the outlier detector's max-ejection-percent base). */
  #total = 0;

  /** `rng`: routing draws; `retryRng`: backoff jitter (its own stream, so retries never shift routing draws). */
  constructor(rng: Rng, retryRng: Rng, options: RouterCoreOptions = ROUTER_DEFAULTS) {
    this.#rng = rng;
    this.#retryRng = retryRng;
    this.options = options;
    this.outliers = options.outlierDetection ? new OutlierDetector(options.outlierDetection) : null;
    this.#retryOn = options.retryOnStatus ?? RETRY_ON_STATUS;
  }

  /**
   * Route (or re-route) a request. On 'send' the policy has been told (`onRouted`) and, when
   * `countAttempt`, the attempt is counted (a disaggregated decode phase is not a new attempt).
   */
  next(state: RetryState, policy: RoutingPolicy, route: RouteRequest, views: readonly InstanceView[], nowUs: number, countAttempt = true): RouteStep {
    const excluded = state.excluded;
    this.#total = Math.max(this.#total, views.length);
    let candidates = excluded === null ? views : views.filter((v) => !excluded.includes(v.id));
    const od = this.outliers;
    if (od !== null) {
      // Ejected backends are not candidates; if that leaves no healthy one, the policy sees
      // them all again (Envoy's panic routing: ejection never turns into an outage by itself).
      const inService = candidates.filter((v) => !od.ejected(v.id, nowUs));
      if (inService.some((v) => v.healthy)) candidates = inService;
    }
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

  /**
   * An attempt's answer reached the client and ended the request there (`ok`: a success;
   * `serverError`: the backend failed it — a 5xx, a stream cut — which the outlier detector counts).
   */
  finished(policy: RoutingPolicy, route: RouteRequest, instanceId: string, ok: boolean, nowUs: number, serverError = false): void {
    if (serverError) this.outliers?.failure(instanceId, nowUs, this.#total);
    else this.outliers?.success(instanceId);
    policy.onFinished?.(route, instanceId, ok);
  }

  /** Whether an answer with this status, before anything reached the client, is a failed attempt to re-send. */
  retriesStatus(status: number): boolean {
    return this.#retryOn.includes(status);
  }

  /**
   * An attempt on `instanceId` failed. Returns true when the request should be re-sent (the
   * instance is then excluded for it), false when the failure ends the request: not a transport
   * failure or a status in `retryOnStatus`, something already reached the client, or the
   * attempt budget is spent. Transport failures and 5xx count towards outlier ejection.
   */
  failed(state: RetryState, policy: RoutingPolicy, route: RouteRequest, instanceId: string, failure: AttemptFailure, nowUs: number): boolean {
    const serverSide = failure === 'transport' || (typeof failure === 'number' && failure >= 500);
    if (serverSide) this.outliers?.failure(instanceId, nowUs, this.#total);
    policy.onFinished?.(route, instanceId, false);
    const retryable = failure === 'transport' || (typeof failure === 'number' && this.#retryOn.includes(failure));
    if (!retryable || state.streaming || state.attempts >= this.options.retry.maxAttempts) return false;
    (state.excluded ??= []).push(instanceId);
    return true;
  }
}
