import type { KvConnector } from './connector.js';
import type { KvCacheManager } from './kv-cache-manager.js';
import type { SchedRequest, SchedulerLimits, SchedulingPolicy, WaitingQueue } from '../../policies/scheduling/types.js';

/** The batch chosen by one {@link V1Scheduler.schedule} call (reused between steps). */
export interface StepBatch {
  /** Requests in the batch, running ones first, each with `numScheduledTokens` set. */
  readonly scheduled: SchedRequest[];
  /** Requests preempted while building this batch (already back in the waiting queue). */
  readonly preempted: SchedRequest[];
  /** Requests whose KV load finished ({@link V1Scheduler.finishLoads}) or started (schedule) since the last finishLoads. */
  readonly loadChanged: SchedRequest[];
  /** Tokens scheduled in total. */
  tokens: number;
}

const NO_BLOCKS: readonly number[] = [];

/**
 * vLLM v1's batch scheduler (vllm/v1/core/sched/scheduler.py, `Scheduler.schedule`), chunked
 * prefill always on, no speculative decoding, an optional KV connector ({@link KvConnector},
 * asynchronous loads only):
 * 1. running requests in order get min(remaining, longPrefillTokenThreshold, budget,
 *    maxModelLen - 1 - computed) tokens; when allocation fails the policy's victim is
 *    preempted (recompute: blocks freed, computed = 0, back to the waiting queue's front) until
 *    it fits or the victim is the request itself;
 * 2. only if nothing was preempted, waiting requests in queue order, up to maxNumSeqs running,
 *    each after its prefix-cache lookup, until the budget ends or an allocation fails. A request
 *    the connector can load more of gets blocks for its whole prompt, leaves the queue and
 *    waits for the load (WAITING_FOR_REMOTE_KVS); once the load is done (checked before a
 *    step is scheduled, as vLLM's _update_waiting_for_remote_kv does: {@link finishLoads}) its
 *    blocks are cached and it goes back to the front of the queue with those tokens computed.
 * Per-step work is O(batch + preemptions + loads); nothing is allocated per token.
 */
export class V1Scheduler {
  readonly running: SchedRequest[] = [];
  readonly waiting: WaitingQueue;
  readonly batch: StepBatch = { scheduled: [], preempted: [], loadChanged: [], tokens: 0 };
  readonly #limits: SchedulerLimits;
  readonly #kv: KvCacheManager;
  readonly #policy: SchedulingPolicy;
  readonly #connector: KvConnector | null;
  /** Requests waiting for a KV load, in the order their loads started, and when each is done. */
  readonly #loading: SchedRequest[] = [];
  readonly #loadDoneUs: number[] = [];
  #preemptions = 0;

  constructor(limits: SchedulerLimits, kv: KvCacheManager, policy: SchedulingPolicy, connector: KvConnector | null = null) {
    this.#limits = limits;
    this.#kv = kv;
    this.#policy = policy;
    this.#connector = connector;
    this.waiting = policy.newQueue();
  }

  /** Requests waiting for a KV connector's load. */
  get numLoading(): number {
    return this.#loading.length;
  }

  /** When the earliest pending KV load completes (Infinity: none). */
  get nextLoadDoneUs(): number {
    let t = Infinity;
    for (let i = 0; i < this.#loadDoneUs.length; i++) if (this.#loadDoneUs[i]! < t) t = this.#loadDoneUs[i]!;
    return t;
  }

  get policyName(): string {
    return this.#policy.name;
  }

  /** Preemptions so far. */
  get preemptions(): number {
    return this.#preemptions;
  }

  add(req: SchedRequest): void {
    req.status = 'waiting';
    this.waiting.add(req);
  }

  /**
   * Build the next batch. When a pass schedules nothing because it preempted the request it was
   * placing before any other was placed (possible when the victim is not the last running
   * request, e.g. with the priority policy), vLLM's engine loop simply schedules again; we run
   * that next pass at once, so a step is never empty while requests wait.
   */
  schedule(nowUs: number): StepBatch {
    const b = this.batch;
    const scheduled = b.scheduled;
    // Indexed loops throughout: for...of allocates iterator results on this per-step path.
    for (let k = 0; k < scheduled.length; k++) scheduled[k]!.numScheduledTokens = 0;
    b.preempted.length = 0;
    b.tokens = 0;
    this.#policy.beforeSchedule?.(nowUs);
    for (let pass = 0; ; pass++) {
      const preemptedBefore = b.preempted.length;
      this.#pass(nowUs, preemptedBefore);
      if (b.scheduled.length > 0 || b.preempted.length === preemptedBefore || pass > this.running.length) break;
    }
    if (b.scheduled.length === 0 && this.running.length === 0 && this.waiting.size > 1) this.#admitLoadedBehind(nowUs);
    this.#policy.onScheduled?.(b.scheduled, nowUs);
    return b;
  }

  /**
   * A request whose KV a connector loaded waits holding its prompt's blocks (load_kv_async
   * allocates them). When the queue's head needs some of those blocks and nothing runs, no step
   * would ever free them: vLLM's admission loop, which stops at a head it cannot place, would
   * idle for good (a swarm run with a 24-block cache found it: a decode preempted for lack of
   * a block went back to the head, behind which a loaded request held 16 of the blocks). Only
   * then, the earliest such request behind the head is admitted instead, so the engine goes on
   * (harness/swarm/known/ keeps the scenarios that stalled).
   */
  #admitLoadedBehind(nowUs: number): void {
    const head = this.waiting.peek();
    let pick: SchedRequest | undefined;
    for (const r of this.waiting.values()) {
      if (r !== head && r.blocks.length > 0 && r.numComputedTokens > 0 && (pick === undefined || r.seq < pick.seq)) pick = r;
    }
    if (pick === undefined) return;
    const { maxNumBatchedTokens, longPrefillTokenThreshold } = this.#limits;
    let n = pick.numTokens - pick.numComputedTokens;
    if (longPrefillTokenThreshold > 0 && longPrefillTokenThreshold < n) n = longPrefillTokenThreshold;
    if (n > maxNumBatchedTokens) n = maxNumBatchedTokens;
    if (n <= 0 || !this.#kv.allocateSlots(pick, n, 0, NO_BLOCKS, nowUs)) return;
    this.waiting.remove(pick);
    this.running.push(pick);
    pick.status = 'running';
    if (pick.numCachedTokens < 0) pick.numCachedTokens = pick.numComputedTokens;
    pick.numScheduledTokens = n;
    const b = this.batch;
    b.scheduled.length = 0;
    b.scheduled.push(pick);
    b.tokens = n;
  }

  /**
   * The same batch as {@link schedule} when the last batch held every running request and each
   * is now decoding, none aborted or preempted since (the caller checks that): every running
   * request gets one token, then waiting requests are admitted as the full pass would. Of the
   * running requests only `needSlots` — those whose `allocateSlots` is not a no-op this step
   * ({@link KvCacheManager.decodeNeedsSlots}), in running order — and `fresh` — those that
   * finished their prefill in the last step (scheduled tokens back to 1) — are touched, so the
   * running part costs O(those) instead of O(batch). Returns how many running requests got
   * their token (the batch's first ones), or -1, changing nothing, when the free blocks cannot
   * cover their new blocks (the full pass must then preempt) or the budget cannot give each a
   * token; then call {@link schedule}. The policy's hooks run as in schedule() (a
   * `beforeSchedule` hook costs a walk: it must see every scheduled-token count zeroed).
   */
  scheduleSteady(nowUs: number, needSlots: readonly SchedRequest[], fresh: readonly SchedRequest[]): number {
    const running = this.running;
    const k = running.length;
    const { maxNumBatchedTokens } = this.#limits;
    if (k === 0 || k > maxNumBatchedTokens) return -1;
    const kv = this.#kv;
    const bs = kv.blockSize;
    let newBlocks = 0;
    for (let j = 0; j < needSlots.length; j++) {
      const r = needSlots[j]!;
      if (r.status === 'running' && r.numTokens > r.blocks.length * bs) newBlocks++;
    }
    // Each allocation takes one block off the free set; the first that finds it empty would preempt.
    if (newBlocks > kv.pool.numFree) return -1;
    const b = this.batch;
    const scheduled = b.scheduled;
    // Requests that left since the last batch (finished) drop out of it, as schedule() would rebuild it.
    if (scheduled.length !== k) this.#dropLeft(scheduled);
    if (scheduled.length !== k) throw new Error('V1Scheduler.scheduleSteady: the last batch was not the running list');
    if (b.preempted.length > 0) b.preempted.length = 0;
    b.tokens = k;
    const before = this.#policy.beforeSchedule;
    if (before !== undefined) {
      // The full pass calls it with every request's scheduled tokens zeroed: so does this one.
      for (let j = 0; j < k; j++) scheduled[j]!.numScheduledTokens = 0;
      before.call(this.#policy, nowUs);
      for (let j = 0; j < k; j++) scheduled[j]!.numScheduledTokens = 1;
    } else {
      for (let j = 0; j < fresh.length; j++) if (fresh[j]!.status === 'running') fresh[j]!.numScheduledTokens = 1;
    }
    for (let j = 0; j < needSlots.length; j++) {
      const r = needSlots[j]!;
      if (r.status !== 'running') continue;
      if (!kv.allocateSlots(r, 1, 0, NO_BLOCKS, nowUs)) throw new Error('V1Scheduler.scheduleSteady: allocation failed after the free-block check');
    }
    const size = this.#admit(nowUs, k, maxNumBatchedTokens - k);
    if (scheduled.length !== size) scheduled.length = size; // a runtime call even when unchanged
    this.#policy.onScheduled?.(scheduled, nowUs);
    return k;
  }

  // Remove requests no longer running from the batch, zeroing their scheduled tokens.
  #dropLeft(scheduled: SchedRequest[]): void {
    let w = 0;
    for (let r = 0; r < scheduled.length; r++) {
      const req = scheduled[r]!;
      if (req.status === 'running') scheduled[w++] = req;
      else req.numScheduledTokens = 0;
    }
    scheduled.length = w;
  }

  // One vLLM schedule() pass; preemptions of earlier passes (`preemptedBefore`) do not block admission.
  #pass(nowUs: number, preemptedBefore: number): void {
    const b = this.batch;
    const scheduled = b.scheduled;
    // The batch is rebuilt in place and truncated at the end: `length = 0` would make V8 drop
    // the backing store and re-grow it every step (an allocation per scheduled token).
    let size = 0;
    const { maxNumBatchedTokens, maxModelLen, longPrefillTokenThreshold } = this.#limits;
    const running = this.running;
    const kv = this.#kv;
    let budget = maxNumBatchedTokens;

    // 1. Running requests.
    let i = 0;
    while (i < running.length && budget > 0) {
      const req = running[i]!;
      let n = req.numTokens - req.numComputedTokens;
      if (longPrefillTokenThreshold > 0 && longPrefillTokenThreshold < n) n = longPrefillTokenThreshold;
      if (n > budget) n = budget;
      const cap = maxModelLen - 1 - req.numComputedTokens;
      if (n > cap) n = cap;
      if (n <= 0) {
        i++;
        continue;
      }
      let fits = true;
      while (!kv.allocateSlots(req, n, 0, NO_BLOCKS, nowUs)) {
        const vi = this.#policy.preemptionVictim(running);
        const victim = running[vi];
        if (victim === undefined) throw new Error(`${this.#policy.name}: preemption victim ${vi} out of range`);
        running.splice(vi, 1);
        if (victim.numScheduledTokens > 0) {
          // Scheduled earlier in this step: give its tokens back (vLLM does the same).
          budget += victim.numScheduledTokens;
          b.tokens -= victim.numScheduledTokens;
          victim.numScheduledTokens = 0;
          const at = scheduled.indexOf(victim);
          for (let k = at; k < size - 1; k++) scheduled[k] = scheduled[k + 1]!;
          size--;
          i--;
        }
        this.#preempt(victim, nowUs);
        if (victim === req) {
          fits = false;
          break;
        }
      }
      if (!fits) break;
      req.numScheduledTokens = n;
      scheduled[size++] = req;
      b.tokens += n;
      budget -= n;
      i++;
    }

    // 2. Waiting requests, only when this pass preempted nothing.
    if (b.preempted.length === preemptedBefore) size = this.#admit(nowUs, size, budget);
    scheduled.length = size;
  }

  // vLLM's admission of waiting requests (a pass's second part) into the batch after `size`
  // scheduled ones with `budget` tokens left; returns the batch's new size.
  #admit(nowUs: number, size: number, budget: number): number {
    const b = this.batch;
    const scheduled = b.scheduled;
    const { maxNumSeqs, longPrefillTokenThreshold } = this.#limits;
    const running = this.running;
    const kv = this.#kv;
    const waiting = this.waiting;
    while (waiting.size > 0 && budget > 0) {
      if (running.length >= maxNumSeqs) break;
      const req = waiting.peek()!;
      kv.lastHitCrossAgentTokens = 0;
      let hitTokens = 0;
      let hitBlocks = NO_BLOCKS;
      let computed = req.numComputedTokens;
      const lookedUp = computed === 0;
      let external = 0;
      if (lookedUp) {
        hitTokens = kv.getComputedBlocks(req);
        hitBlocks = kv.hitBlocks;
        computed = hitTokens;
        if (this.#connector !== null) external = this.#connector.matchedTokens(req, hitTokens, nowUs);
      }
      if (external > 0) {
        // load_kv_async: blocks allocated, none scheduled, not cached until the load is done.
        // vLLM allocates the external tokens' blocks only; we take the whole prompt's, so a
        // loaded request never needs a block to compute the rest of its prompt (otherwise
        // loaded requests can fill the cache and wait on each other with nothing running).
        if (!kv.allocateSlots(req, req.numTokens - hitTokens, hitTokens, hitBlocks, nowUs, true)) break;
        waiting.pop();
        kv.recordPrefixStats(req, hitTokens);
        if (req.numCachedTokens < 0) req.crossAgentCachedTokens = kv.lastHitCrossAgentTokens;
        req.status = 'waiting-kv';
        req.numComputedTokens = hitTokens;
        req.numExternalTokens = external;
        this.#loading.push(req);
        this.#loadDoneUs.push(this.#connector!.startLoad(req, hitTokens, external, nowUs));
        b.loadChanged.push(req);
        continue;
      }
      let n = req.numTokens - computed;
      if (longPrefillTokenThreshold > 0 && longPrefillTokenThreshold < n) n = longPrefillTokenThreshold;
      if (n > budget) n = budget;
      if (!kv.allocateSlots(req, n, hitTokens, hitBlocks, nowUs)) break;
      waiting.pop();
      if (lookedUp) kv.recordPrefixStats(req, hitTokens);
      running.push(req);
      req.status = 'running';
      req.numComputedTokens = computed;
      if (req.numCachedTokens < 0) {
        req.numCachedTokens = computed;
        if (lookedUp) req.crossAgentCachedTokens = kv.lastHitCrossAgentTokens;
      }
      req.numScheduledTokens = n;
      scheduled[size++] = req;
      b.tokens += n;
      budget -= n;
    }
    return size;
  }

  /** Drop finished or aborted requests from the running list, keeping order. */
  compactRunning(): void {
    const running = this.running;
    let w = 0;
    for (let r = 0; r < running.length; r++) {
      const req = running[r]!;
      if (req.status === 'running') running[w++] = req;
    }
    running.length = w;
  }

  /**
   * A request reached its stop condition: free its blocks (it leaves `running` at compaction),
   * unless `holdBlocks` (a KV connector still sends them: vLLM's request_finished returning
   * delay-free) — then the caller frees them later with the KV cache manager.
   */
  finish(req: SchedRequest, nowUs: number, holdBlocks = false): void {
    req.status = 'finished';
    if (!holdBlocks) this.#kv.free(req, nowUs);
    this.#policy.onFinished?.(req, nowUs);
  }

  /** Remove a request wherever it is (abort, timeout, crash) and free its blocks. */
  abort(req: SchedRequest, nowUs: number): void {
    if (req.status === 'running') {
      const i = this.running.indexOf(req);
      if (i >= 0) this.running.splice(i, 1);
    } else if (req.status === 'waiting' || req.status === 'preempted') {
      this.waiting.remove(req);
    } else if (req.status === 'waiting-kv') {
      const i = this.#loading.indexOf(req);
      this.#loading.splice(i, 1);
      this.#loadDoneUs.splice(i, 1);
      req.numExternalTokens = 0;
      this.#connector!.finishLoad(req, false, nowUs);
    } else return;
    req.status = 'aborted';
    req.numScheduledTokens = 0;
    this.#kv.free(req, nowUs);
    this.#policy.onFinished?.(req, nowUs);
  }

  /**
   * vLLM's _update_waiting_for_remote_kv for every load done by `nowUs`: the loaded tokens count
   * as computed (all but the last token if the load covered the whole request), the blocks are
   * cached, and the request goes back to the front of the queue (earliest-started loads first).
   * Whoever steps the engine calls it before {@link schedule} when there is a connector; kept
   * out of schedule() itself, whose per-step path must not change for engines without one.
   */
  finishLoads(nowUs: number): void {
    const b = this.batch;
    if (b.loadChanged.length > 0) b.loadChanged.length = 0;
    if (this.#loading.length === 0) return;
    const loading = this.#loading;
    const done = this.#loadDoneUs;
    for (let i = loading.length - 1; i >= 0; i--) {
      if (done[i]! > nowUs) continue;
      const req = loading[i]!;
      for (let k = i; k < loading.length - 1; k++) {
        loading[k] = loading[k + 1]!;
        done[k] = done[k + 1]!;
      }
      loading.length--;
      done.length--;
      let computed = Math.min(req.numComputedTokens + (req.numExternalTokens ?? 0), req.numTokens);
      if (computed === req.numTokens) computed--;
      this.#kv.cacheBlocks(req, computed);
      req.numComputedTokens = computed;
      req.numExternalTokens = 0;
      req.status = 'waiting';
      this.#connector!.finishLoad(req, true, nowUs);
      this.waiting.prepend(req);
      b.loadChanged.push(req);
    }
  }

  // vLLM's _preempt_request: recompute-only preemption.
  #preempt(req: SchedRequest, nowUs: number): void {
    this.#kv.free(req, nowUs);
    req.status = 'preempted';
    req.numComputedTokens = 0;
    req.numScheduledTokens = 0;
    req.preemptions++;
    this.#preemptions++;
    this.waiting.prepend(req);
    this.batch.preempted.push(req);
  }
}
