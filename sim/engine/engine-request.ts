import type { BlockHash, DeclaredHints } from '../../policies/types.js';
import type { KvTransferParams } from '../../policies/kv/request.js';
import type { RequestStatus, SchedRequest } from '../../policies/scheduling/types.js';

/** Callbacks an engine makes for one request, in its clock's time. */
export interface EngineListener {
  /** Every generated token; `first` is true for the first one (TTFT). */
  onToken(req: EngineRequest, nowUs: number, first: boolean): void;
  /** The request hit its stop condition; its blocks are already freed. */
  onFinished(req: EngineRequest, nowUs: number): void;
}

/**
 * Where a steady decode step hands its plain tokens at once instead of one
 * {@link EngineListener.onToken} per request (the simulator's client side; see
 * docs/performance.md). Such a token's request gets `bulkTokenUs`; the listener learns of it
 * lazily (its next per-request callback, or whoever reads its last sign of life).
 */
export interface BulkTokenSink {
  /** Do answers reach the client now (they did not while the instance was unreachable: held back)? */
  ready(): boolean;
  /** `count` non-first tokens generated at `nowUs`, each `gapUs` after the request's previous token. */
  tokens(nowUs: number, gapUs: number, count: number): void;
}

/** What a caller hands an engine to run. */
export interface EngineRequestSpec {
  readonly id: string;
  readonly promptTokens: number;
  /** Chained hashes of all full blocks of prompt followed by the output. */
  readonly blockHashes: readonly BlockHash[];
  /**
   * Tokens the model will generate before its stop condition (EOS or max_tokens). The engine
   * alone knows it, as a real engine decides EOS: it never reaches schedulers or routers.
   */
  readonly outputTokens: number;
  readonly priority?: number | undefined;
  readonly workflowId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly hints?: DeclaredHints | undefined;
  /** Declared expected time until this agent runs again, µs (eviction hint). */
  readonly expectedReuseUs?: number | undefined;
  /** Pull the prompt's KV from the instance that prefilled it (disaggregated decode). */
  readonly kvTransfer?: KvTransferParams | undefined;
  /** Keep the blocks after the request finishes until {@link EngineCore.releaseHeld} (a prefill whose KV is being sent). */
  readonly holdKvOnFinish?: boolean | undefined;
  readonly listener: EngineListener;
}

/** One request inside an EngineCore. Schedulers see it through {@link SchedRequest}. */
export class EngineRequest implements SchedRequest {
  readonly id: string;
  readonly promptTokens: number;
  readonly arrivalUs: number;
  readonly seq: number;
  readonly blockHashes: readonly BlockHash[];
  readonly blocks: number[] = [];
  readonly priority: number;
  readonly workflowId: string | undefined;
  readonly agentId: string | undefined;
  readonly hints: DeclaredHints | undefined;
  readonly expectedReuseUs: number | undefined;
  readonly listener: EngineListener;
  readonly holdKvOnFinish: boolean;
  kvTransfer: KvTransferParams | null;
  numExternalTokens = 0;
  numTokens: number;
  numComputedTokens = 0;
  numCachedBlocks = 0;
  numOutputTokens = 0;
  numScheduledTokens = 0;
  numCachedTokens = -1;
  crossAgentCachedTokens = 0;
  preemptions = 0;
  status: RequestStatus = 'waiting';
  /** When the request was first put in a batch (-1 before). */
  firstScheduledUs = -1;
  /** Time of the last generated token (-1 before the first). */
  lastTokenUs = -1;
  /** Time of the last token handed to a {@link BulkTokenSink} instead of the listener (-1: none). */
  bulkTokenUs = -1;
  /** This request's current share of the engine's pending-prefill and decoding-context gauges. */
  prefillShare = 0;
  decodeShare = 0;
  readonly #stopAfter: number;

  constructor(spec: EngineRequestSpec, seq: number, nowUs: number, stopAfter: number) {
    this.id = spec.id;
    this.promptTokens = spec.promptTokens;
    this.arrivalUs = nowUs;
    this.seq = seq;
    this.blockHashes = spec.blockHashes;
    this.priority = spec.priority ?? 0;
    this.workflowId = spec.workflowId;
    this.agentId = spec.agentId;
    this.hints = spec.hints;
    this.expectedReuseUs = spec.expectedReuseUs;
    this.listener = spec.listener;
    this.kvTransfer = spec.kvTransfer ?? null;
    this.holdKvOnFinish = spec.holdKvOnFinish ?? false;
    this.numTokens = spec.promptTokens;
    this.#stopAfter = stopAfter;
  }

  /** True once the stop condition (EOS / max_tokens / max_model_len) is reached. */
  get reachedStop(): boolean {
    return this.numOutputTokens >= this.#stopAfter;
  }

  /** Prompt (and, after preemption, output) tokens still to prefill; 0 while decoding. */
  get pendingPrefillTokens(): number {
    if (this.status === 'finished' || this.status === 'aborted') return 0;
    const left = this.numTokens - this.numComputedTokens - this.numExternalTokens;
    return this.numOutputTokens > 0 && left <= 1 ? 0 : left;
  }

  /** Context tokens held while decoding (0 during prefill or after the end). */
  get decodingContextTokens(): number {
    if (this.status !== 'running' || this.numOutputTokens === 0) return 0;
    return this.numTokens - this.numComputedTokens <= 1 ? this.numTokens : 0;
  }
}
