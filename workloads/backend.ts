import type { DeclaredHints } from '../policies/types.js';
import type { TokenRun } from '../policies/kv/hash.js';

/**
 * What a client declares about one LLM call, in either world: the seed design's workflow
 * metadata and the declared (non-oracle) hints. Simulated, it travels inside the LlmCall; live,
 * it crosses HTTP as headers or the body's `workflow_metadata` (harness/live/call-meta-http.ts)
 * and is read back by the router and the emulated engine; sim/call-meta.ts maps it, once, to a
 * RouteRequest and to an engine request.
 */
export interface CallMeta {
  readonly workflowId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly parentRequestId?: string | undefined;
  readonly priority?: number | undefined;
  readonly sessionKey?: string | undefined;
  readonly hints?: DeclaredHints | undefined;
  /** Declared expected time until this agent runs again, µs (eviction hint on the call's blocks). */
  readonly expectedReuseUs?: number | undefined;
}

/** One LLM request as a workflow issues it. */
export interface LlmCall extends CallMeta {
  /** Unique per attempt. */
  readonly id: string;
  readonly prompt: readonly TokenRun[];
  readonly promptTokens: number;
  /** Content identity of the output tokens (children's prompts reuse it). */
  readonly outputKey: number;
  /** True output length: only engines read it (the oracle boundary). */
  readonly outputTokens: number;
  /** The client's max_tokens. */
  readonly maxTokens: number;
  /** Content keys of the prompt's segments shared with other calls by construction (system prompt, shared context). */
  readonly sharedContextKeys?: readonly number[] | undefined;
  /** Agents the call's workflow declares it will run. */
  readonly expectedAgents?: readonly string[] | undefined;
}

/** How a call ended well. Times are the backend clock's µs. */
export interface CallResult {
  readonly instance: string;
  readonly firstTokenUs: number;
  readonly endUs: number;
  /** Send → first scheduled in a batch; NaN where the backend cannot see it (live). */
  readonly queueUs: number;
  readonly promptTokens: number;
  readonly cachedPromptTokens: number;
  /** Cached tokens whose blocks another agent or workflow computed (NaN where unknown). */
  readonly crossAgentCachedTokens: number;
  readonly outputTokens: number;
  readonly preemptions: number;
}

/** How a call ended badly; every call ends exactly once, with one of these or a CallResult. */
export interface CallError {
  readonly outcome: 'failed' | 'rejected' | 'timeout';
  readonly reason: string;
  readonly instance?: string | undefined;
  readonly endUs: number;
  readonly firstTokenUs?: number | undefined;
  readonly outputTokens?: number | undefined;
  readonly cachedPromptTokens?: number | undefined;
  readonly preemptions?: number | undefined;
  /** When the attempt that failed was sent, if not when the call was (a router re-send). */
  readonly sendUs?: number | undefined;
  /**
   * Whether sending the call again may help (default: true for failed and timeout, false for
   * rejected). A router with no healthy instance rejects with `retryable: true`.
   */
  readonly retryable?: boolean | undefined;
}

/** Callbacks for one submitted call. Exactly one of onDone / onError is called, once. */
export interface CallHandlers {
  /** A token (sim) or a streamed chunk (live) arrived; `first` marks time to first token. */
  onToken(nowUs: number, first: boolean): void;
  /**
   * Tokens up to `lastTokenUs` reached the client in bulk (the simulator's steady decode steps,
   * whose inter-token gaps were recorded in bulk): the next token's gap counts from there.
   */
  tokensUntil?(lastTokenUs: number): void;
  onDone(result: CallResult): void;
  onError(error: CallError): void;
  /**
   * The router gave up on one attempt of this call and is sending it again (the call stays
   * open). Every attempt ends exactly once: through this, onDone or onError.
   */
  onAttemptFailed?(error: CallError): void;
}

/** Where workflow calls go: the simulated cluster, or HTTP endpoints. */
export interface Backend {
  submit(call: LlmCall, handlers: CallHandlers): void;
  /**
   * Latency of a call alone on an idle instance, µs, given the prompt tokens it found cached:
   * the contention-free time of the same work, used for the critical path. Only backends that
   * can model it (simulation) provide it.
   */
  isolatedLatencyUs?(promptTokens: number, cachedPromptTokens: number, outputTokens: number): number;
}
