import { engineRequestOf, type CallMeta } from '../../../sim/call-meta.js';
import { EngineCore, emptyTotals, type EngineConfig, type EngineTotals } from '../../../sim/engine/engine-core.js';
import type { EngineListener, EngineRequest, EngineRequestSpec } from '../../../sim/engine/engine-request.js';
import type { CostModel } from '../../../sim/cost-model/types.js';
import type { SchedulingPolicy } from '../../../policies/scheduling/types.js';
import type { TimerId } from '../../../policies/types.js';
import type { EvictionPolicy } from '../../../policies/kv/eviction/types.js';
import { blockHashesOfIds } from '../tokenizer.js';
import { PromHistogram, PromWriter } from '../prometheus.js';
import type { WallClock } from '../wall-clock.js';

/** Builds a fresh EngineCore (at start and when a crashed engine restarts with an empty cache). */
export type CoreFactory = () => EngineCore;

/** What the engine's owner is told about one request, in engine-clock µs. */
export interface EmulatedListener {
  /** Token `index` (0-based) was generated. */
  onToken(index: number, nowUs: number): void;
  /** The stop condition was reached; `cachedTokens` is the prefix-cache hit at admission. */
  onFinished(info: { outputTokens: number; cachedTokens: number; promptTokens: number; reason: 'length' | 'stop' }): void;
}

/** A request as the HTTP layer hands it over. */
export interface EmulatedRequest {
  readonly promptIds: readonly number[];
  /** Token ids the model will emit, in order (their count is the output length). */
  readonly outputIds: readonly number[];
  /** Why generation stops after the last output id (max_tokens/ignore_eos vs a natural EOS). */
  readonly stopReason: 'length' | 'stop';
  /** Workflow metadata and declared hints, as the client sent them (the simulated router passes the same). */
  readonly meta?: CallMeta | undefined;
  /** Cache namespace (vLLM's `cache_salt`, a LoRA adapter): its blocks are shared only within it. */
  readonly cacheSalt?: string | undefined;
  readonly listener: EmulatedListener;
}


/** Engine state under a fault. */
export type EngineHealth = 'up' | 'hung' | 'down';

// vLLM's histogram buckets (vllm/v1/metrics/loggers.py).
const TTFT_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const E2E_BUCKETS_S = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const ITL_BUCKETS_S = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

/** vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50, ... up to `max` (token-count histograms). */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exp = 1; ; exp *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * exp > max) return out;
      out.push(m * exp);
    }
  }
}

class Bridge implements EngineListener {
  index = 0;
  lastUs = -1;
  firstUs = -1;
  constructor(readonly engine: EmulatedEngine, readonly req: EmulatedRequest, readonly arrivalUs: number) {}
  onToken(_r: EngineRequest, nowUs: number, first: boolean): void {
    this.engine.observeToken(this, nowUs, first);
    this.req.listener.onToken(this.index++, nowUs);
    this.lastUs = nowUs;
  }
  onFinished(r: EngineRequest, nowUs: number): void {
    this.engine.observeFinished(this, r, nowUs);
  }
}

/**
 * An EngineCore stepped in wall-clock time: the same vLLM v1 scheduler, KV manager and cost
 * model as the simulator, but a step's duration is waited out on a {@link WallClock}. Steps are
 * laid end to end on the engine's own timeline (a late timer does not stretch the model), and
 * faults can crash (drop everything, empty cache on restart), hang (no progress) or slow it.
 */
export class EmulatedEngine {
  readonly clock: WallClock;
  readonly modelName: string;
  readonly config: EngineConfig;
  readonly ttftS = new PromHistogram(TTFT_BUCKETS_S);
  readonly e2eS = new PromHistogram(E2E_BUCKETS_S);
  readonly itlS = new PromHistogram(ITL_BUCKETS_S);
  // Phases of a finished request, as vLLM v1 splits them (queue: waiting until first scheduled;
  // inference: first scheduled to finish = prefill + decode), with vLLM's request-latency buckets.
  readonly queueS = new PromHistogram(E2E_BUCKETS_S);
  readonly inferenceS = new PromHistogram(E2E_BUCKETS_S);
  readonly prefillS = new PromHistogram(E2E_BUCKETS_S);
  readonly decodeS = new PromHistogram(E2E_BUCKETS_S);
  readonly promptTokensH: PromHistogram;
  readonly generationTokensH: PromHistogram;
  promptTokensTotal = 0;
  successByReason = { length: 0, stop: 0 };
  #core: EngineCore;
  readonly #makeCore: CoreFactory;
  #cores: EngineCore[] = [];
  readonly #bridges = new Map<string, Bridge>();
  #health: EngineHealth = 'up';
  #stepping = false;
  #timer = -1;
  #plannedEndUs = 0;
  #seq = 0;
  #stalledStep = false;
  /** Requests in the API server's front end, and the timer that hands each to the core. */
  readonly #frontend = new Map<string, TimerId>();
  // Totals of cores that crashed, so counters never go backwards across a restart.
  readonly #retired: EngineTotals = emptyTotals();

  constructor(opts: { clock: WallClock; modelName: string; makeCore: CoreFactory }) {
    this.clock = opts.clock;
    this.modelName = opts.modelName;
    this.#makeCore = opts.makeCore;
    this.#core = opts.makeCore();
    this.#cores.push(this.#core);
    this.config = this.#core.config;
    this.promptTokensH = new PromHistogram(buckets125(this.config.maxModelLen));
    this.generationTokensH = new PromHistogram(buckets125(this.config.maxModelLen));
  }

  /** Build the core factory from its parts (one scheduler/eviction instance per core). */
  static coreFactory(config: EngineConfig, cost: CostModel, scheduling: () => SchedulingPolicy, eviction: () => EvictionPolicy): CoreFactory {
    return () => new EngineCore(config, cost, scheduling(), eviction());
  }

  get core(): EngineCore {
    return this.#core;
  }

  get health(): EngineHealth {
    return this.#health;
  }

  /** The engine's true state in the timeseries' vocabulary (as SimInstance.state). */
  get faultState(): 'ok' | 'down' | 'hung' | 'slow' {
    if (this.#health !== 'up') return this.#health;
    return this.#core.stepTimeScale > 1 ? 'slow' : 'ok';
  }

  /**
   * Admit a request; returns its id or the reason it was refused (vLLM answers 400). Like the
   * simulator's router (SimRouter), the request first spends the cost model's front end
   * (`frontendUs`: the API server's HTTP, tokenising and IPC hop) before the engine core sees it.
   */
  submit(req: EmulatedRequest): { id: string } | { reject: string } {
    if (this.#health === 'down') return { reject: 'engine is down' };
    const id = `r${this.#seq++}`;
    const bridge = new Bridge(this, req, this.#timelineNowUs());
    const all = req.promptIds.concat(req.outputIds);
    const tokens = { promptTokens: req.promptIds.length, blockHashes: blockHashesOfIds(all, this.config.blockSize, req.cacheSalt), outputTokens: req.outputIds.length };
    const spec = engineRequestOf(id, req.meta ?? {}, tokens, bridge);
    const problem = this.#core.admissionProblem(spec);
    if (problem !== undefined) return { reject: problem };
    this.#bridges.set(id, bridge);
    this.promptTokensTotal += req.promptIds.length;
    const frontendUs = this.#core.frontendUs(tokens.promptTokens);
    if (frontendUs <= 0) this.#enter(spec);
    else {
      this.#frontend.set(id, this.clock.schedule(this.clock.nowUs() + frontendUs, () => {
        this.#frontend.delete(id);
        // Aborted or lost in a crash meanwhile: it never reaches the engine.
        if (this.#bridges.get(id) === bridge && this.#health !== 'down') this.#enter(spec);
      }));
    }
    return { id };
  }

  // While a step is in flight, a request joins the next step. When the engine's timeline lags
  // the wall clock (a late timer, a busy event loop), the request is stamped with the
  // timeline's position, so the lag is never added to the model's time.
  #timelineNowUs(): number {
    return this.#stepping ? Math.min(this.clock.nowUs(), this.#plannedEndUs) : this.clock.nowUs();
  }

  // The request reaches the engine core (validated in submit against the same config).
  #enter(spec: EngineRequestSpec): void {
    const added = this.#core.add(spec, this.#timelineNowUs());
    if ('reject' in added) throw new Error(`EmulatedEngine: ${spec.id} refused after the front end: ${added.reject}`);
    this.#kick(false);
  }

  /** The client went away: drop the request and free its blocks (vLLM aborts on disconnect). */
  abort(id: string): void {
    if (!this.#bridges.delete(id)) return;
    this.#cancelFrontend(id);
    this.#core.abort(id, this.clock.nowUs());
  }

  // Requests still in the front end never reach the engine (crash, shutdown).
  #cancelFrontends(): void {
    for (const t of this.#frontend.values()) this.clock.cancel(t);
    this.#frontend.clear();
  }

  // A request still in the front end never reaches the engine.
  #cancelFrontend(id: string): void {
    const t = this.#frontend.get(id);
    if (t === undefined) return;
    this.clock.cancel(t);
    this.#frontend.delete(id);
  }

  /** Requests inside the engine. */
  get inflight(): number {
    return this.#bridges.size;
  }

  /** Crash: every request is dropped without a callback; the KV cache is lost. */
  crash(): void {
    if (this.#health === 'down') return;
    this.#health = 'down';
    this.clock.cancel(this.#timer);
    this.#stepping = false;
    this.#stalledStep = false;
    this.#core.abortAll(this.clock.nowUs());
    this.#cancelFrontends();
    this.#bridges.clear();
  }

  /** Hang: keep every request but make no progress until {@link recover}. */
  hang(): void {
    if (this.#health === 'up') this.#health = 'hung';
  }

  /** Multiply step times by `factor` (1 restores normal speed). */
  slow(factor: number): void {
    this.#core.stepTimeScale = factor;
  }

  /** Flush the prefix cache (a `kv-loss` fault, vLLM's reset_prefix_cache); requests keep their blocks. */
  flushPrefixCache(): number {
    return this.#core.kv.pool.dropPrefixCache();
  }

  /** Back to normal: a hung engine resumes; a crashed one restarts with a fresh core. */
  recover(): void {
    if (this.#health === 'down') {
      const now = this.totals();
      Object.assign(this.#retired, now);
      this.#core = this.#makeCore();
      this.#cores.push(this.#core);
    }
    this.#health = 'up';
    this.#core.stepTimeScale = 1;
    if (this.#stalledStep) {
      this.#stalledStep = false;
      this.#plannedEndUs = this.clock.nowUs();
      this.#core.endStep(this.#plannedEndUs);
      this.#stepping = false;
    }
    this.#kick(false);
  }

  /** The scheduling and eviction policies of every core since the last reset (a crash restarts with new ones). */
  policies(): { scheduling: SchedulingPolicy[]; eviction: EvictionPolicy[] } {
    return { scheduling: this.#cores.map((c) => c.schedulingPolicy), eviction: this.#cores.map((c) => c.evictionPolicy) };
  }

  /** Totals since start, across restarts. */
  totals(): EngineTotals {
    const now = this.#core.totals();
    const r = this.#retired;
    for (const k of Object.keys(now) as (keyof EngineTotals)[]) now[k] += r[k];
    return now;
  }

  /**
   * Forget everything (after a warm-up): a fresh core with an empty cache, zeroed counters and
   * histograms. Only valid while no request is inside.
   */
  reset(): void {
    if (this.#bridges.size > 0 || this.#stepping) throw new Error('EmulatedEngine.reset with requests inside');
    this.#core = this.#makeCore();
    this.#cores = [this.#core];
    Object.assign(this.#retired, emptyTotals());
    this.ttftS.reset();
    this.e2eS.reset();
    this.itlS.reset();
    for (const h of [this.queueS, this.inferenceS, this.prefillS, this.decodeS, this.promptTokensH, this.generationTokensH]) h.reset();
    this.promptTokensTotal = 0;
    this.successByReason = { length: 0, stop: 0 };
  }

  /** Stop stepping for good (server shutdown). */
  close(): void {
    this.clock.cancel(this.#timer);
    this.#cancelFrontends();
    this.#stepping = false;
  }

  /** @internal */
  observeToken(b: Bridge, nowUs: number, first: boolean): void {
    if (first) {
      this.ttftS.observe((nowUs - b.arrivalUs) / 1e6);
      b.firstUs = nowUs;
    } else this.itlS.observe((nowUs - b.lastUs) / 1e6);
  }

  /** @internal */
  observeFinished(b: Bridge, r: EngineRequest, nowUs: number): void {
    this.#bridges.delete(r.id);
    this.e2eS.observe((nowUs - b.arrivalUs) / 1e6);
    if (r.firstScheduledUs >= 0) {
      this.queueS.observe((r.firstScheduledUs - r.arrivalUs) / 1e6); // vLLM: from the engine core's arrival (after the front end)
      this.inferenceS.observe((nowUs - r.firstScheduledUs) / 1e6);
      if (b.firstUs >= 0) this.prefillS.observe((b.firstUs - r.firstScheduledUs) / 1e6);
    }
    if (b.firstUs >= 0) this.decodeS.observe((nowUs - b.firstUs) / 1e6);
    this.promptTokensH.observe(r.promptTokens);
    this.generationTokensH.observe(r.numOutputTokens);
    this.successByReason[b.req.stopReason]++;
    b.req.listener.onFinished({
      outputTokens: r.numOutputTokens, cachedTokens: Math.max(0, r.numCachedTokens), promptTokens: r.promptTokens, reason: b.req.stopReason,
    });
  }

  // Begin the next step. `continuing` (called at the end of a step): the new step starts where
  // the last one ended on the engine's timeline, however late the timer woke, so steps are laid
  // end to end as on a GPU and a slow event loop delays token delivery without stretching the
  // model; an idle engine starts from now.
  #kick(continuing: boolean): void {
    if (this.#stepping || this.#health !== 'up') return;
    const startUs = continuing ? this.#plannedEndUs : this.clock.nowUs();
    const durUs = this.#core.beginStep(startUs);
    if (durUs === null) return;
    this.#stepping = true;
    this.#plannedEndUs = startUs + Math.max(1, durUs);
    this.#timer = this.clock.schedule(this.#plannedEndUs, this.#onStepEnd);
  }

  readonly #onStepEnd = (): void => {
    if (this.#health === 'hung') {
      this.#stalledStep = true; // completes when the engine recovers
      return;
    }
    if (this.#health === 'down') return;
    this.#core.endStep(this.#plannedEndUs);
    this.#stepping = false;
    this.#kick(true);
  };

  /** The engine's /metrics page, with vLLM's metric names (vllm/v1/metrics/loggers.py). */
  metricsText(): string {
    const c = this.#core;
    const l = { model_name: this.modelName, engine: '0' };
    const usage = c.kv.pool.numUsed / Math.max(1, c.kv.pool.numBlocks);
    const t = this.totals();
    return new PromWriter()
      .family('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', [[l, c.numRunning]])
      .family('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', [[l, c.numWaiting]])
      .family('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', [[l, usage]])
      .family('vllm:gpu_cache_usage_perc', 'gauge', 'GPU KV-cache usage (pre-0.10 name of kv_cache_usage_perc).', [[l, usage]])
      .family('vllm:prefix_cache_queries_total', 'counter', 'Prefix cache queries, in terms of number of queried tokens.', [[l, t.prefixQueries]])
      .family('vllm:prefix_cache_hits_total', 'counter', 'Prefix cache hits, in terms of number of cached tokens.', [[l, t.prefixHits]])
      .family('vllm:num_preemptions_total', 'counter', 'Cumulative number of preemption from the engine.', [[l, t.preemptions]])
      .family('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', [[l, this.promptTokensTotal]])
      .family('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', [[l, t.outputTokens]])
      .family('vllm:request_success_total', 'counter', 'Count of successfully processed requests.', [
        [{ ...l, finished_reason: 'length' }, this.successByReason.length], [{ ...l, finished_reason: 'stop' }, this.successByReason.stop],
      ])
      .family('vllm:cache_config_info', 'gauge', 'Information of the LLMEngine CacheConfig.', [[{
        ...l, block_size: String(this.config.blockSize), num_gpu_blocks: String(c.kv.pool.numBlocks),
        enable_prefix_caching: String(this.config.enablePrefixCaching),
      }, 1]])
      .histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', [[l, this.ttftS]])
      .histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', [[l, this.itlS]])
      .histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', [[l, this.e2eS]])
      .histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', [[l, this.queueS]])
      .histogram('vllm:request_inference_time_seconds', 'Histogram of time spent in RUNNING phase for request.', [[l, this.inferenceS]])
      .histogram('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', [[l, this.prefillS]])
      .histogram('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', [[l, this.decodeS]])
      .histogram('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', [[l, this.promptTokensH]])
      .histogram('vllm:request_generation_tokens', 'Number of generation tokens processed.', [[l, this.generationTokensH]])
      .text();
  }
}
