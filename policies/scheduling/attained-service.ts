import { z } from 'zod';
import { definePolicy } from '../registry.js';
import type { SchedRequest, SchedulingPolicy, WaitingQueue } from './types.js';

/** Options of {@link AttainedServicePolicy}. */
export interface AttainedServiceOptions {
  readonly mode: 'plas' | 'atlas';
  readonly firstLevelUs: number;
  readonly levels: number;
  readonly starvationRatio: number;
}

/**
 * Autellix's program-level schedulers (Luo et al., "Autellix: An Efficient Serving Engine for
 * LLM Agents as General Programs", 2025), as waiting-queue orders of vLLM's scheduler:
 * - `plas` (Program-Level Attained Service, single-threaded programs): a call's priority is the
 *   service its whole program (workflow) has attained: the client-declared service of its
 *   completed calls (hint attainedServiceUs) plus what its unfinished calls received here;
 * - `atlas` (Adaptive Thread-Level Attained Service, parallel programs): the largest service
 *   along any chain of completed ancestor calls (hint criticalPathServiceUs) plus the call's own
 *   service here, so a workflow's critical path is not penalised for its parallel branches.
 * Only this engine's unfinished calls are counted live: calls of the workflow running on other
 * instances reach the count through the hints once they complete.
 * Service is discretised into `levels` queues with thresholds firstLevelMs × 2^k (least attained
 * first, FCFS within a level), like Autellix's multi-level queues. Anti-starvation: a call that
 * has waited starvationRatio × its attained service (at least firstLevelMs) moves to the top
 * level. Service here is measured, not predicted: each step's duration (from one batch to the
 * next) is credited to the unfinished calls of the previous batch. vLLM only preempts for
 * memory, so priority does not preempt running calls (Autellix does); the memory victim is the
 * running call with the most attained service.
 */
export class AttainedServicePolicy implements SchedulingPolicy {
  readonly name: string;
  readonly #o: AttainedServiceOptions;
  /** Service each unfinished request received on this engine. */
  readonly #local = new Map<SchedRequest, number>();
  /** Σ local service of each workflow's unfinished requests (PLAS). */
  readonly #program = new Map<string, number>();
  readonly #prev: SchedRequest[] = [];
  #prevStartUs = 0;
  #nowUs = 0;
  readonly #queues: AttainedServiceQueue[] = [];
  readonly #counters = { promotions: 0 };

  constructor(opts: AttainedServiceOptions) {
    this.#o = opts;
    this.name = opts.mode;
  }

  newQueue(): WaitingQueue {
    const q = new AttainedServiceQueue(this);
    this.#queues.push(q);
    return q;
  }

  /** Attained service that ranks `r`, µs. */
  serviceOf(r: SchedRequest): number {
    const local = this.#local.get(r) ?? 0;
    if (this.#o.mode === 'atlas') return (r.hints?.criticalPathServiceUs ?? 0) + local;
    const program = r.workflowId !== undefined ? (this.#program.get(r.workflowId) ?? 0) : local;
    return (r.hints?.attainedServiceUs ?? 0) + program;
  }

  /** Queue level of `r` now (0 = served first). */
  levelOf(r: SchedRequest): number {
    const o = this.#o;
    const s = this.serviceOf(r);
    if (this.#nowUs - r.arrivalUs >= o.starvationRatio * Math.max(s, o.firstLevelUs)) return -1;
    if (s < o.firstLevelUs) return 0;
    return Math.min(o.levels - 1, 1 + Math.floor(Math.log2(s / o.firstLevelUs)));
  }

  preemptionVictim(running: readonly SchedRequest[]): number {
    let best = -1;
    let bestS = -Infinity;
    for (let i = 0; i < running.length; i++) {
      const s = this.serviceOf(running[i]!);
      if (s > bestS || (s === bestS && running[i]!.arrivalUs >= running[best]!.arrivalUs)) {
        best = i;
        bestS = s;
      }
    }
    return best;
  }

  beforeSchedule(nowUs: number): void {
    this.#nowUs = nowUs;
    for (const q of this.#queues) q.invalidate();
  }

  onScheduled(batch: readonly SchedRequest[], nowUs: number): void {
    // The previous step ran from its schedule() to this one; credit it to its calls still here.
    const dur = nowUs - this.#prevStartUs;
    for (const r of this.#prev) {
      if (r.status === 'finished' || r.status === 'aborted') continue;
      this.#local.set(r, (this.#local.get(r) ?? 0) + dur);
      if (r.workflowId !== undefined) this.#program.set(r.workflowId, (this.#program.get(r.workflowId) ?? 0) + dur);
    }
    this.#prev.length = 0;
    for (const r of batch) this.#prev.push(r);
    this.#prevStartUs = nowUs;
  }

  onFinished(req: SchedRequest): void {
    // From here on the client declares the finished call's service in its workflow's next hints.
    const local = this.#local.get(req);
    if (local === undefined) return;
    this.#local.delete(req);
    if (req.workflowId === undefined) return;
    const p = (this.#program.get(req.workflowId) ?? 0) - local;
    if (p > 0) this.#program.set(req.workflowId, p);
    else this.#program.delete(req.workflowId);
  }

  stats(): Record<string, number> {
    return { ...this.#counters };
  }

  /** @internal */
  countPromotion(): void {
    this.#counters.promotions++;
  }
}

/**
 * The waiting queue sorted by (level, arrival, admission order). Levels change with time and
 * service, so the order is rebuilt at most once per scheduling pass (and after arrivals).
 */
class AttainedServiceQueue implements WaitingQueue {
  readonly #policy: AttainedServicePolicy;
  readonly #items = new Set<SchedRequest>();
  readonly #sorted: SchedRequest[] = [];
  readonly #level = new Map<SchedRequest, number>();
  #cursor = 0;
  #valid = false;
  readonly #cmp = (a: SchedRequest, b: SchedRequest): number =>
    this.#level.get(a)! - this.#level.get(b)! || a.arrivalUs - b.arrivalUs || a.seq - b.seq;

  constructor(policy: AttainedServicePolicy) {
    this.#policy = policy;
  }

  get size(): number {
    return this.#items.size;
  }

  /** Forget the order (time moved on, or the set changed). */
  invalidate(): void {
    this.#valid = false;
  }

  add(req: SchedRequest): void {
    this.#items.add(req);
    this.#valid = false;
  }

  prepend(req: SchedRequest): void {
    this.add(req);
  }

  peek(): SchedRequest | undefined {
    if (!this.#valid) this.#rebuild();
    return this.#sorted[this.#cursor];
  }

  pop(): SchedRequest {
    const r = this.peek();
    if (!r) throw new Error(`${this.#policy.name}: pop from an empty queue`);
    this.#cursor++;
    this.#items.delete(r);
    if (this.#level.get(r) === -1) this.#policy.countPromotion();
    return r;
  }

  remove(req: SchedRequest): boolean {
    const found = this.#items.delete(req);
    if (found) this.#valid = false;
    return found;
  }

  values(): Iterable<SchedRequest> {
    return this.#items;
  }

  #rebuild(): void {
    const s = this.#sorted;
    s.length = 0;
    this.#level.clear();
    for (const r of this.#items) {
      s.push(r);
      this.#level.set(r, this.#policy.levelOf(r));
    }
    s.sort(this.#cmp);
    this.#cursor = 0;
    this.#valid = true;
  }
}

const shape = {
  /** Service below this is level 0; level k ends at firstLevelMs × 2^k. */
  firstLevelMs: z.number().positive().default(100),
  levels: z.int().min(1).max(64).default(10),
  /** A call waiting this many times its attained service moves to the top level. */
  starvationRatio: z.number().positive().default(4),
};

const factory = (mode: 'plas' | 'atlas', summary: string) => definePolicy({
  summary,
  options: z.strictObject(shape),
  make: (o) => new AttainedServicePolicy({ mode, firstLevelUs: o.firstLevelMs * 1000, levels: o.levels, starvationRatio: o.starvationRatio }),
});

/** Registry entry for `scheduling: plas`. */
export const plasFactory = factory('plas', "Autellix PLAS: least program-level attained service first, with anti-starvation");
/** Registry entry for `scheduling: atlas`. */
export const atlasFactory = factory('atlas', "Autellix ATLAS: least critical-path attained service first, with anti-starvation");
