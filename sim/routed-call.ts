import type { RouteRequest } from '../policies/types.js';
import type { CallHandlers, LlmCall } from '../workloads/backend.js';
import type { SimInstance } from './cluster/instance.js';
import { RetryState } from './router-core.js';
import type { EngineListener, EngineRequest } from './engine/engine-request.js';

/** What an attempt reports back to whoever drives the attempts (the simulated router). */
export interface AttemptHost {
  attemptToken(a: Attempt, nowUs: number, first: boolean): void;
  attemptFinished(a: Attempt, req: EngineRequest, nowUs: number): void;
}

/**
 * One client request as the simulated router handles it: routed, possibly sent again to other
 * instances (router-level retries), ended exactly once towards the client's handlers.
 */
export class RoutedCall extends RetryState {
  ended = false;
  current: Attempt | null = null;
  /** Disaggregated requests: the phase being routed (null: co-located, one phase). */
  phase: 'prefill' | 'decode' | null = null;
  /** The route request of the prefill phase (max_tokens 1, as production-stack sends it). */
  prefillRoute: RouteRequest | null = null;
  /** Where the prompt was prefilled, and what that prefill found cached / suffered. */
  prefillInstance: SimInstance | null = null;
  prefillCachedTokens = 0;
  prefillCrossAgentTokens = 0;
  prefillPreemptions = 0;
  prefillQueueUs = NaN;
  constructor(
    readonly call: LlmCall,
    readonly handlers: CallHandlers,
    public route: RouteRequest,
    /** Chained hashes of every full block of prompt and output. */
    readonly hashes: readonly number[],
    readonly promptBlocks: number[],
    /** When the client sent the request. */
    readonly sendUs: number,
  ) {
    super();
  }
}

/**
 * Where an attempt stands: `connecting` to a partitioned instance (TCP retrying until the
 * partition heals or the attempt times out), `sent` into the engine, or `ended`.
 */
export type AttemptState = 'connecting' | 'sent' | 'ended';

/**
 * One attempt of a request on one instance; the engine's listener for it. While the instance
 * is unreachable (hung or partitioned) its answers are held back and delivered, as one chunk,
 * when it becomes reachable again.
 */
export class Attempt implements EngineListener {
  state: AttemptState = 'sent';
  /** Client-visible time of the first token (-1 before). */
  firstTokenUs = -1;
  /** The engine's request once sent (its tokens of steady steps arrive in bulk: {@link lastSeenUs}). */
  req: EngineRequest | null = null;
  #lastSeenUs: number;
  /** A token (or, in a prefill phase, its one token) arrived: the time-to-first-token timeout no longer applies. */
  gotToken = false;
  /** Timeout timer id (-1: none). */
  timer = -1;
  heldToken = false;
  heldFirst = false;
  heldFinish: EngineRequest | null = null;
  onTimer: (() => void) | null = null;
  /** The phase this attempt serves (null: the whole request). */
  readonly phase: 'prefill' | 'decode' | null;
  constructor(
    readonly host: AttemptHost,
    readonly rc: RoutedCall,
    readonly instance: SimInstance,
    readonly sendUs: number,
  ) {
    this.#lastSeenUs = sendUs;
    this.phase = rc.phase;
  }

  /**
   * Client-visible time of the last sign of life (send, then each delivered token), counting
   * tokens the engine handed over in bulk (EngineRequest.bulkTokenUs): all these times only grow.
   */
  get lastSeenUs(): number {
    const bulkUs = this.req === null ? -1 : this.req.bulkTokenUs;
    return bulkUs > this.#lastSeenUs ? bulkUs : this.#lastSeenUs;
  }

  set lastSeenUs(us: number) {
    this.#lastSeenUs = us;
  }

  onToken(_req: EngineRequest, nowUs: number, first: boolean): void {
    if (!this.instance.reachable) {
      this.heldToken = true;
      if (first) this.heldFirst = true;
      return;
    }
    this.host.attemptToken(this, nowUs, first);
  }

  onFinished(req: EngineRequest, nowUs: number): void {
    if (!this.instance.reachable) {
      this.heldFinish = req;
      return;
    }
    this.host.attemptFinished(this, req, nowUs);
  }
}
