import { KvCacheManager } from './kv-cache-manager.js';
import type { KvConnector } from './connector.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import { V1Scheduler } from './v1-scheduler.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import { addToShape, emptyShape, resetShape, type CostModel, type StepShape } from '../cost-model/types.js';
import { EngineRequest, type BulkTokenSink, type EngineRequestSpec } from './engine-request.js';

/** Static configuration of one engine (one vLLM instance). */
export interface EngineConfig {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly enablePrefixCaching: boolean;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  readonly maxNumSeqs: number;
  readonly longPrefillTokenThreshold: number;
  /**
   * vLLM's async scheduling (on by default since vllm-project/vllm PR #27614): the engine core
   * keeps two batches in flight (vllm/v1/engine/core.py `step_with_batch_queue`, batch queue of
   * `max_concurrent_batches` = 2), scheduling step n+1 right after submitting step n, before
   * the GPU runs it. A request reaching the engine while step n runs is taken from the input
   * queue only after step n's output, so it joins step n+2, not n+1. Default false (a
   * synchronous engine: a request arriving during step n joins step n+1).
   */
  readonly asyncScheduling?: boolean;
}

/** How an engine advances its steps. */
export interface EngineOptions {
  /**
   * Fast steps (default true; see docs/performance.md): running requests that are all decoding
   * get their token without the scheduler's walk, and plain tokens go to the
   * {@link EngineCore.tokenSink} in bulk. False: the step-by-step reference path. Both give
   * identical results.
   */
  readonly fastSteps?: boolean;
}

/** Why an engine refused a request at admission. */
export interface AdmissionError {
  readonly reject: string;
}

/** Running totals of one engine. */
export interface EngineCounters {
  steps: number;
  busyUs: number;
  prefillTokens: number;
  decodeTokens: number;
  /** Tokens generated (one per sampled sequence per step). */
  outputTokens: number;
  preemptions: number;
  finished: number;
  aborted: number;
}

/** An engine's counters plus its KV cache's: what reports show per instance. */
export interface EngineTotals extends EngineCounters {
  evictions: number;
  prefixQueries: number;
  prefixHits: number;
}

/** All-zero totals. */
export function emptyTotals(): EngineTotals {
  return {
    steps: 0, busyUs: 0, prefillTokens: 0, decodeTokens: 0, outputTokens: 0, preemptions: 0, finished: 0, aborted: 0,
    evictions: 0, prefixQueries: 0, prefixHits: 0,
  };
}

/**
 * One serving engine: vLLM v1's KV cache manager and scheduler plus a cost model, stepped by
 * its owner (the simulated cluster in virtual time, or the emulated HTTP endpoint in wall time):
 * `beginStep(now)` picks a batch and returns its duration, `endStep(later)` applies it
 * (computed tokens, new tokens, finished requests). It never reads a clock itself. With a KV
 * connector, requests may wait for loads between steps: {@link nextWakeUs} says when the owner
 * should step again if nothing else runs.
 */
export class EngineCore {
  /** Fast steps taken by every engine of this process (tests check the fast path runs). */
  static steadyStepsTotal = 0;
  /** Tokens handed to a {@link BulkTokenSink} by every engine of this process (tests check bulk delivery runs). */
  static bulkTokensTotal = 0;
  readonly config: EngineConfig;
  readonly kv: KvCacheManager;
  readonly scheduler: V1Scheduler;
  /** The plugged-in policies (their counters reach the run's summary). */
  readonly schedulingPolicy: SchedulingPolicy;
  readonly evictionPolicy: EvictionPolicy;
  readonly costModel: CostModel;
  readonly counters: EngineCounters = {
    steps: 0, busyUs: 0, prefillTokens: 0, decodeTokens: 0, outputTokens: 0, preemptions: 0, finished: 0, aborted: 0,
  };
  /** Multiplier on step times (1 normally; a `slowdown` fault raises it). */
  stepTimeScale = 1;
  /**
   * Takes a step's plain tokens in one call (null: every token goes to its request's listener):
   * on the fast path, when the answers of this step and of the last one both reached the
   * client, the tokens whose request's previous token came at the end of the last step.
   */
  tokenSink: BulkTokenSink | null = null;
  readonly #requests = new Map<string, EngineRequest>();
  /** Finished requests whose blocks a connector is still sending (holdKvOnFinish). */
  readonly #held = new Map<string, EngineRequest>();
  readonly #connector: KvConnector | null;
  readonly #shape: StepShape = emptyShape();
  #seq = 0;
  #inStep = false;
  #stepStartUs = 0;
  /** When the last step ended (-1: none yet). */
  #lastStepEndUs = -1;
  /** Async scheduling: requests that arrived while a step ran, not yet in the scheduler (arrival order). */
  readonly #deferred: EngineRequest[] = [];
  #pendingPrefillTokens = 0;
  #decodingContextTokens = 0;
  /** Fast steps are allowed (the option, and no KV connector: loads change batches between steps). */
  readonly #fast: boolean;
  /**
   * The last batch held every running request and each is now decoding (none in the middle of
   * its prefill): the next batch starts with all of them, one token each (fast path).
   */
  #steadyNext = false;
  /** Members of the last batch whose next decode step needs `allocateSlots` (block boundary), in batch order. */
  readonly #needSlots: EngineRequest[] = [];
  /** Members of the last batch that finished their prefill in it (their next step decodes one token). */
  readonly #fresh: EngineRequest[] = [];
  #steadySteps = 0;
  /** The last step's answers reached the client ({@link tokenSink} ready); it ended at #lastStepEndUs. */
  #prevReady = false;

  constructor(
    config: EngineConfig, costModel: CostModel, scheduling: SchedulingPolicy, eviction: EvictionPolicy,
    connector: KvConnector | null = null, options: EngineOptions = {},
  ) {
    this.config = config;
    this.schedulingPolicy = scheduling;
    this.evictionPolicy = eviction;
    this.costModel = costModel;
    this.#connector = connector;
    this.#fast = (options.fastSteps ?? true) && connector === null;
    this.kv = new KvCacheManager(
      { numBlocks: config.numBlocks, blockSize: config.blockSize, enablePrefixCaching: config.enablePrefixCaching, maxModelLen: config.maxModelLen },
      eviction,
    );
    this.scheduler = new V1Scheduler(
      {
        maxNumBatchedTokens: config.maxNumBatchedTokens, maxNumSeqs: config.maxNumSeqs,
        maxModelLen: config.maxModelLen, longPrefillTokenThreshold: config.longPrefillTokenThreshold,
      },
      this.kv,
      scheduling,
      connector,
    );
    if (connector?.onEvicted) {
      const onEvicted = connector.onEvicted.bind(connector);
      this.kv.pool.onEvicted = onEvicted;
    }
  }

  /** Counters so far, with the KV cache's evictions and prefix-cache queries and hits. */
  totals(): EngineTotals {
    return { ...this.counters, evictions: this.kv.pool.evictions, prefixQueries: this.kv.stats.queries, prefixHits: this.kv.stats.hits };
  }

  get numRunning(): number {
    return this.scheduler.running.length;
  }

  get numWaiting(): number {
    return this.scheduler.waiting.size;
  }

  /** Requests inside the engine (waiting, loading KV, running or preempted, or finished and holding KV). */
  get numRequests(): number {
    return this.#requests.size + this.#held.size;
  }

  /** Requests waiting for a KV connector's load. */
  get numLoading(): number {
    return this.scheduler.numLoading;
  }

  /** Finished requests still holding their blocks for a transfer. */
  get numHeld(): number {
    return this.#held.size;
  }

  /** When a pending KV load completes (Infinity: none): step again then even if idle. */
  get nextWakeUs(): number {
    return this.scheduler.nextLoadDoneUs;
  }

  /** Free the blocks of a finished request held for a transfer; false if it holds none. */
  releaseHeld(id: string, nowUs: number): boolean {
    const r = this.#held.get(id);
    if (!r) return false;
    this.#held.delete(id);
    this.kv.free(r, nowUs);
    return true;
  }

  /** Steps scheduled by the fast path so far. */
  get steadySteps(): number {
    return this.#steadySteps;
  }

  get inStep(): boolean {
    return this.#inStep;
  }

  get hasWork(): boolean {
    return this.#requests.size > 0;
  }

  /** Prompt tokens (incl. recompute after preemption) still to prefill, over all requests. */
  get pendingPrefillTokens(): number {
    return this.#pendingPrefillTokens;
  }

  /** Context tokens held by decoding requests. */
  get decodingContextTokens(): number {
    return this.#decodingContextTokens;
  }

  get(id: string): EngineRequest | undefined {
    return this.#requests.get(id);
  }

  /** Accept a request, or say why not (vLLM answers 400 when the prompt exceeds max_model_len). */
  add(spec: EngineRequestSpec, nowUs: number): EngineRequest | AdmissionError {
    const problem = this.admissionProblem(spec);
    if (problem !== undefined) return { reject: problem };
    const req = new EngineRequest(spec, this.#seq++, nowUs, this.#stopAfter(spec));
    this.#requests.set(req.id, req);
    // Async scheduling: the next step's batch was formed when the step in flight began.
    if (this.config.asyncScheduling === true && this.#inStep) this.#deferred.push(req);
    else this.scheduler.add(req);
    this.#refresh(req);
    return req;
  }

  /**
   * Why {@link add} would refuse `spec` (vLLM's front end answers 400 before the engine sees
   * it), or undefined when it would accept it.
   */
  admissionProblem(spec: EngineRequestSpec): string | undefined {
    if (this.#requests.has(spec.id)) return `duplicate request id '${spec.id}'`;
    if (spec.promptTokens < 1) return 'prompt has no tokens';
    if (spec.promptTokens >= this.config.maxModelLen) return `prompt of ${spec.promptTokens} tokens exceeds max_model_len ${this.config.maxModelLen}`;
    if (spec.outputTokens < 1) return 'output length must be at least 1 token';
    const needBlocks = Math.ceil((spec.promptTokens + this.#stopAfter(spec)) / this.config.blockSize);
    if (needBlocks > this.kv.pool.numBlocks - 1) return `request needs ${needBlocks} KV blocks, the instance has ${this.kv.pool.numBlocks - 1}`;
    return undefined;
  }

  /**
   * The API-server front end a request of `promptTokens` prompt tokens goes through before this
   * engine sees it, in whole µs (0 when the cost model prices none). The simulated router and
   * the emulated live endpoint both charge it.
   */
  frontendUs(promptTokens: number): number {
    return Math.round(this.costModel.frontendUs?.(promptTokens) ?? 0);
  }

  /**
   * Price of a step of `shape`, before {@link stepTimeScale}. Async scheduling hides a step's CPU
   * work behind the GPU work of the step before it; a step with none before it (`afterIdle`: the
   * engine was idle, or hung) pays it in full (GPU + CPU).
   */
  stepPriceUs(shape: Readonly<StepShape>, afterIdle: boolean): number {
    const unhidden = afterIdle && this.config.asyncScheduling === true && this.costModel.stepTimeAfterIdleUs !== undefined;
    return unhidden ? this.costModel.stepTimeAfterIdleUs!(shape) : this.costModel.stepTimeUs(shape);
  }

  // vLLM stops at max_tokens/EOS or when the sequence fills max_model_len.
  #stopAfter(spec: EngineRequestSpec): number {
    return Math.min(spec.outputTokens, this.config.maxModelLen - spec.promptTokens);
  }

  /**
   * Schedule the next batch. Returns its duration in µs, or null when there is nothing to run.
   * Must be followed by {@link endStep} before the next call.
   */
  beginStep(nowUs: number): number | null {
    if (this.#inStep) throw new Error('EngineCore.beginStep while a step is in progress');
    if (this.#requests.size === 0) return null;
    if (this.#deferred.length > 0) this.#releaseDeferred(nowUs);
    if (this.#steadyNext) {
      const k = this.scheduler.scheduleSteady(nowUs, this.#needSlots, this.#fresh);
      if (k >= 0) return this.#beginSteady(nowUs, k);
    }
    this.#steadyNext = false;
    if (this.#connector !== null) this.scheduler.finishLoads(nowUs);
    const batch = this.scheduler.schedule(nowUs);
    for (let k = 0; k < batch.preempted.length; k++) this.#refresh(batch.preempted[k] as EngineRequest);
    if (this.#connector !== null) for (let k = 0; k < batch.loadChanged.length; k++) this.#refresh(batch.loadChanged[k] as EngineRequest);
    this.counters.preemptions += batch.preempted.length;
    if (batch.scheduled.length === 0) return null;
    const shape = this.#shape;
    resetShape(shape);
    // Indexed loops: for...of allocates iterator results on this per-step path.
    for (let k = 0; k < batch.scheduled.length; k++) this.#addToStep(batch.scheduled[k] as EngineRequest, nowUs);
    this.#steadyNext = this.#fast && batch.scheduled.length === this.scheduler.running.length;
    return this.#startStep(nowUs);
  }

  // Mark the step begun and price its shape: a step not starting as the last one ended follows
  // an idle spell (or a hang), so nothing hides its CPU work.
  #startStep(nowUs: number): number {
    this.#inStep = true;
    this.#stepStartUs = nowUs;
    return this.stepPriceUs(this.#shape, nowUs !== this.#lastStepEndUs) * this.stepTimeScale;
  }

  // The batch starts with the `k` running requests, each decoding one token: their part of the
  // shape is the sum addToShape would make (one decode per request reading its whole context,
  // each sampling). Requests admitted after them are added one by one, as in beginStep.
  #beginSteady(nowUs: number, k: number): number {
    const shape = this.#shape;
    resetShape(shape);
    shape.decodeSeqs = k;
    shape.decodeKvReadTokens = this.#decodingContextTokens; // Σ numTokens = Σ (computed + 1) over the k
    shape.sampledSeqs = k;
    const batch = this.scheduler.batch.scheduled;
    for (let j = k; j < batch.length; j++) this.#addToStep(batch[j] as EngineRequest, nowUs);
    this.#steadySteps++;
    EngineCore.steadyStepsTotal++;
    return this.#startStep(nowUs);
  }

  // One scheduled request's part of the step's shape.
  #addToStep(r: EngineRequest, nowUs: number): void {
    if (r.firstScheduledUs < 0) r.firstScheduledUs = nowUs;
    this.#refresh(r); // admission may have set computed tokens from a prefix hit
    const before = r.numComputedTokens;
    const n = r.numScheduledTokens;
    const samples = before + n >= r.numTokens;
    const isDecode = n === 1 && r.numOutputTokens > 0 && before === r.numTokens - 1;
    addToShape(this.#shape, before, n, isDecode, samples);
  }

  /** The shape of the step in progress (for explain/trace tools). */
  get currentShape(): Readonly<StepShape> {
    return this.#shape;
  }

  /**
   * Apply the step begun by {@link beginStep}: computed tokens, new tokens, finished requests.
   * Listener callbacks run inside it; they may add or abort requests but not begin a step.
   */
  endStep(nowUs: number): void {
    if (!this.#inStep) throw new Error('EngineCore.endStep without beginStep');
    const c = this.counters;
    c.steps++;
    c.busyUs += nowUs - this.#stepStartUs;
    const batch = this.scheduler.batch.scheduled;
    const blocksComputed = this.#connector?.onBlocksComputed !== undefined;
    const needSlots = this.#needSlots;
    let numNeedSlots = 0;
    const fresh = this.#fresh;
    let numFresh = 0;
    const bs = this.config.blockSize;
    const sink = this.tokenSink;
    const ready = sink !== null && sink.ready();
    // Answers reach the client now and did at the end of the last step: a token whose
    // request's previous one came then follows a token the client got then.
    const bulk = this.#fast && ready && this.#prevReady;
    const prevEndUs = this.#lastStepEndUs;
    let bulkTokens = 0;
    let finishedAny = false;
    for (let k = 0; k < batch.length; k++) {
      const r = batch[k] as EngineRequest;
      if (r.status !== 'running') continue; // aborted during the step
      const n = r.numScheduledTokens;
      const before = r.numComputedTokens;
      r.numComputedTokens += n;
      if (blocksComputed) this.#blocksComputed(r, before, nowUs);
      if (n === 1 && r.numOutputTokens > 0) c.decodeTokens++;
      else c.prefillTokens += n;
      if (r.numComputedTokens < r.numTokens) {
        this.#refresh(r); // partial prefill: the sampled token is discarded
        this.#steadyNext = false; // it needs more than one token next step
        continue;
      }
      r.numOutputTokens++;
      r.numTokens++;
      c.outputTokens++;
      const first = r.numOutputTokens === 1;
      const prevTokenUs = r.lastTokenUs;
      r.lastTokenUs = nowUs;
      const finished = r.reachedStop;
      if (finished) {
        this.scheduler.finish(r, nowUs, r.holdKvOnFinish);
        this.#requests.delete(r.id);
        if (r.holdKvOnFinish) this.#held.set(r.id, r);
        c.finished++;
        finishedAny = true;
      }
      this.#refresh(r);
      if (this.#steadyNext && !finished) {
        // This step's allocateSlots left the request's blocks and cache covering its tokens, so
        // one more token needs a block or fills one only at numTokens ≡ 1 or 0 (mod block
        // size): test those alone, and skip reading the block lists of the rest (cache misses).
        const m = r.numTokens % bs;
        if ((m <= 1 || bs === 1) && this.kv.decodeNeedsSlots(r)) needSlots[numNeedSlots++] = r;
        if (n !== 1) fresh[numFresh++] = r;
      }
      if (bulk && !finished && !first && prevTokenUs === prevEndUs) {
        r.bulkTokenUs = nowUs;
        bulkTokens++;
      } else {
        // Tokens before this one reach the client first: inter-token gaps keep the step's
        // order (the histogram's floating-point sum is order-dependent).
        if (bulkTokens > 0) bulkTokens = this.#flushBulk(nowUs, nowUs - prevEndUs, bulkTokens);
        r.listener.onToken(r, nowUs, first);
      }
      if (finished) r.listener.onFinished(r, nowUs);
    }
    // Written by index and cut to length here, not emptied with `length = 0` first: V8 drops an
    // array's backing store at length 0, so every step would grow both again (engine-alloc bench).
    // Setting `length` calls into the runtime even when it does not change: only when it does.
    if (needSlots.length !== numNeedSlots) needSlots.length = numNeedSlots;
    if (fresh.length !== numFresh) fresh.length = numFresh;
    if (bulkTokens > 0) this.#flushBulk(nowUs, nowUs - prevEndUs, bulkTokens);
    this.#prevReady = ready;
    if (finishedAny) this.scheduler.compactRunning();
    // Only now may the next step begin: listeners above may add requests, but a step begun
    // from inside their callbacks would see finished requests still in the running list.
    this.#inStep = false;
    this.#lastStepEndUs = nowUs;
  }

  /** Requests held out of the scheduler by async scheduling until the step after next. */
  get numDeferred(): number {
    return this.#deferred.length;
  }

  /**
   * Async scheduling (vllm/v1/engine/core.py `step_with_batch_queue`): a step beginning as the
   * previous one ends was scheduled when that one began, so it holds only requests that had
   * arrived by then; later ones wait for the step after. When nothing else could run, vLLM's
   * loop would have scheduled them as they came (the batch queue does not fill with empty
   * batches), and an engine that was idle schedules everything it has.
   */
  #releaseDeferred(nowUs: number): void {
    const d = this.#deferred;
    const backToBack = nowUs === this.#lastStepEndUs;
    const idle = this.scheduler.running.length === 0 && this.scheduler.waiting.size === 0;
    let keep = 0;
    for (let k = 0; k < d.length; k++) {
      const r = d[k]!;
      if (backToBack && !idle && r.arrivalUs > this.#stepStartUs) d[keep++] = r;
      else this.scheduler.add(r);
    }
    if (d.length !== keep) d.length = keep;
  }

  // Hand `count` tokens to the sink; returns 0 (none pending).
  #flushBulk(nowUs: number, gapUs: number, count: number): number {
    this.tokenSink!.tokens(nowUs, gapUs, count);
    EngineCore.bulkTokensTotal += count;
    return 0;
  }

  /** Remove a request (timeout, client gone); frees its blocks. No callbacks are made. */
  abort(id: string, nowUs: number): EngineRequest | undefined {
    const r = this.#requests.get(id);
    if (!r) return undefined;
    const k = this.#deferred.indexOf(r);
    if (k >= 0) {
      // Never reached the scheduler: no blocks, no policy state.
      this.#deferred.splice(k, 1);
      r.status = 'aborted';
    } else {
      this.scheduler.abort(r, nowUs);
      this.#steadyNext = false;
    }
    this.#requests.delete(id);
    this.counters.aborted++;
    this.#refresh(r);
    return r;
  }

  /** Remove every request (a crash). Returns them in admission order. */
  abortAll(nowUs: number): EngineRequest[] {
    const all = [...this.#requests.values()].sort((a, b) => a.seq - b.seq);
    for (const r of all) this.abort(r.id, nowUs);
    for (const id of [...this.#held.keys()]) this.releaseHeld(id, nowUs);
    this.#inStep = false;
    this.#steadyNext = false;
    return all;
  }

  /** A step in progress is abandoned (crash mid-step). */
  cancelStep(): void {
    this.#inStep = false;
    this.#steadyNext = false;
    this.#prevReady = false;
  }

  /**
   * Check KV conservation: ref counts ≥ 0, free set = ref-count-0 blocks, and each block's ref
   * count equals the number of live requests holding it (+1 for the null block).
   */
  checkInvariants(): void {
    const pool = this.kv.pool;
    pool.checkConservation();
    const held = new Int32Array(pool.numBlocks);
    held[0] = 1;
    for (const r of this.#requests.values()) for (const b of r.blocks) held[b]!++;
    for (const r of this.#held.values()) for (const b of r.blocks) held[b]!++;
    const rc = pool.info.refCount;
    for (let b = 0; b < pool.numBlocks; b++) {
      if (held[b] !== rc[b]) throw new Error(`KV conservation: block ${b} has ref count ${rc[b]} but ${held[b]} holders`);
    }
    let pending = 0;
    let decoding = 0;
    for (const r of this.#requests.values()) {
      pending += r.pendingPrefillTokens;
      decoding += r.decodingContextTokens;
    }
    if (pending !== this.#pendingPrefillTokens || decoding !== this.#decodingContextTokens) {
      throw new Error(`engine gauges drifted: pending ${this.#pendingPrefillTokens} vs ${pending}, decoding ${this.#decodingContextTokens} vs ${decoding}`);
    }
    this.#checkNeedSlots();
  }

  // Between steps on the fast path: every running request whose next decode token needs
  // allocateSlots is in the list the next step will serve (the others are skipped).
  #checkNeedSlots(): void {
    if (!this.#steadyNext || this.#inStep) return;
    const listed = new Set(this.#needSlots);
    for (const r of this.scheduler.running) {
      if (!listed.has(r as EngineRequest) && this.kv.decodeNeedsSlots(r)) {
        throw new Error(`fast path: request ${r.id} needs allocateSlots at ${r.numTokens} tokens but is not listed`);
      }
    }
  }

  // Tell the connector which full blocks the step completed (its write-through stores).
  #blocksComputed(r: EngineRequest, before: number, nowUs: number): void {
    const bs = this.config.blockSize;
    const from = Math.floor(before / bs);
    const to = Math.min(Math.floor(r.numComputedTokens / bs), r.blockHashes.length);
    if (to > from) this.#connector!.onBlocksComputed!(r, from, to, nowUs);
  }

  // Keep the pending-prefill / decoding-context gauges exact without scanning all requests.
  #refresh(r: EngineRequest): void {
    const p = r.pendingPrefillTokens;
    const d = r.decodingContextTokens;
    this.#pendingPrefillTokens += p - r.prefillShare;
    this.#decodingContextTokens += d - r.decodeShare;
    r.prefillShare = p;
    r.decodeShare = d;
  }
}
