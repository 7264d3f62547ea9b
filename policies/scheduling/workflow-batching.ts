import { z } from 'zod';
import { definePolicy } from '../registry.js';
import type { SchedRequest, SchedulingPolicy, WaitingQueue } from './types.js';

/** Options of {@link WorkflowBatchingPolicy}. */
export interface WorkflowBatchingOptions {
  readonly maxWorkflowBatchSize: number;
  readonly batchingPreference: number;
  readonly maxBoostUs: number;
}

/**
 * Workflow batching (the seed design of production-stack issue #244, `batching_preference`):
 * waiting requests of workflows that already have requests running on this engine (fewer than
 * maxWorkflowBatchSize) may jump ahead of older requests, so a workflow's calls share steps (and
 * their common prefix) instead of trickling in. The preference p in [0, 1] sets how far: such a
 * request sorts as if it had arrived p × maxBoostMs earlier (p = 0 is FCFS; the jump is bounded,
 * so nothing starves). Preempted requests go back to the front, as in vLLM's FCFS. Counts steps
 * whose batch co-schedules calls of one workflow (workflow batches) against the others (mixed).
 */
export class WorkflowBatchingPolicy implements SchedulingPolicy {
  readonly name = 'workflow-batching';
  readonly #o: WorkflowBatchingOptions;
  /** Requests of each workflow in the running set. */
  readonly #running = new Map<string, number>();
  readonly #counted = new Set<SchedRequest>();
  readonly #perStep = new Map<string, number>();
  readonly #counters = { workflowBatches: 0, mixedBatches: 0, preferredAdmissions: 0, fcfsAdmissions: 0 };
  #runningVersion = 0;

  constructor(opts: WorkflowBatchingOptions) {
    this.#o = opts;
  }

  newQueue(): WaitingQueue {
    return new WorkflowBatchingQueue(this);
  }

  preemptionVictim(running: readonly SchedRequest[]): number {
    return running.length - 1;
  }

  /** Changes whenever the running set does: a waiting queue's order (the boosts) is stale after that. */
  get runningVersion(): number {
    return this.#runningVersion;
  }

  /** Sort key of a waiting request: engine arrival time, minus the boost when its workflow runs here. */
  keyOf(r: SchedRequest): number {
    return this.boosted(r) ? r.arrivalUs - this.#o.batchingPreference * this.#o.maxBoostUs : r.arrivalUs;
  }

  /** Does `r` belong to a workflow running here with room for one more request? */
  boosted(r: SchedRequest): boolean {
    if (r.workflowId === undefined || this.#o.batchingPreference === 0) return false;
    const n = this.#running.get(r.workflowId) ?? 0;
    return n > 0 && n < this.#o.maxWorkflowBatchSize;
  }

  /** @internal The queue hands `r` to the running set. */
  admitted(r: SchedRequest, jumped: boolean): void {
    if (jumped) this.#counters.preferredAdmissions++;
    else this.#counters.fcfsAdmissions++;
    if (r.workflowId === undefined || this.#counted.has(r)) return;
    this.#counted.add(r);
    this.#running.set(r.workflowId, (this.#running.get(r.workflowId) ?? 0) + 1);
    this.#runningVersion++;
  }

  /** @internal `r` left the running set (preempted, finished or aborted). */
  left(r: SchedRequest): void {
    if (!this.#counted.delete(r) || r.workflowId === undefined) return;
    const n = (this.#running.get(r.workflowId) ?? 1) - 1;
    if (n > 0) this.#running.set(r.workflowId, n);
    else this.#running.delete(r.workflowId);
    this.#runningVersion++;
  }

  onScheduled(batch: readonly SchedRequest[]): void {
    if (batch.length === 0) return;
    const m = this.#perStep;
    m.clear();
    for (const r of batch) if (r.workflowId !== undefined) m.set(r.workflowId, (m.get(r.workflowId) ?? 0) + 1);
    let shared = false;
    for (const n of m.values()) if (n > 1) shared = true;
    if (shared) this.#counters.workflowBatches++;
    else this.#counters.mixedBatches++;
  }

  onFinished(req: SchedRequest): void {
    this.left(req);
  }

  stats(): Record<string, number> {
    return { ...this.#counters };
  }
}

/** FCFS order with the workflow boost; preempted requests first, in the order they came back. */
class WorkflowBatchingQueue implements WaitingQueue {
  readonly #policy: WorkflowBatchingPolicy;
  readonly #front: SchedRequest[] = [];
  readonly #items = new Set<SchedRequest>();
  #best: SchedRequest | undefined;
  #oldestUs = Infinity;
  #dirty = true;
  /** The policy's running-set version the cached order was computed at. */
  #version = -1;

  constructor(policy: WorkflowBatchingPolicy) {
    this.#policy = policy;
  }

  get size(): number {
    return this.#front.length + this.#items.size;
  }

  add(req: SchedRequest): void {
    this.#items.add(req);
    this.#dirty = true;
  }

  prepend(req: SchedRequest): void {
    this.#policy.left(req);
    this.#front.unshift(req);
  }

  peek(): SchedRequest | undefined {
    if (this.#front.length > 0) return this.#front[0];
    if (this.#dirty || this.#version !== this.#policy.runningVersion) {
      // O(waiting) per admission or running-set change: the keys change as workflows start and
      // finish running (here or through another queue), not only when this queue changes.
      let best: SchedRequest | undefined;
      let bestKey = Infinity;
      let oldest = Infinity;
      for (const r of this.#items) {
        if (r.arrivalUs < oldest) oldest = r.arrivalUs;
        const k = this.#policy.keyOf(r);
        if (k < bestKey || (k === bestKey && best !== undefined && r.seq < best.seq)) {
          best = r;
          bestKey = k;
        }
      }
      this.#best = best;
      this.#oldestUs = oldest;
      this.#dirty = false;
      this.#version = this.#policy.runningVersion;
    }
    return this.#best;
  }

  pop(): SchedRequest {
    const r = this.peek();
    if (!r) throw new Error('workflow-batching: pop from an empty queue');
    if (this.#front.length > 0 && this.#front[0] === r) {
      this.#front.shift();
      this.#policy.admitted(r, false);
    } else {
      this.#items.delete(r);
      // It jumped the queue if an older request was waiting.
      this.#policy.admitted(r, this.#oldestUs < r.arrivalUs);
    }
    this.#dirty = true;
    return r;
  }

  remove(req: SchedRequest): boolean {
    const i = this.#front.indexOf(req);
    if (i >= 0) this.#front.splice(i, 1);
    const found = i >= 0 || this.#items.delete(req);
    this.#dirty = true;
    return found;
  }

  *values(): IterableIterator<SchedRequest> {
    yield* this.#front;
    yield* this.#items;
  }
}

/** Registry entry for `scheduling: workflow-batching`. */
export const workflowBatchingFactory = definePolicy({
  summary: 'FCFS, but calls of workflows already running here jump ahead (production-stack #244 seed design)',
  options: z.strictObject({
    /** A workflow stops being preferred once this many of its requests run here. */
    maxWorkflowBatchSize: z.int().positive().default(8),
    /** 0 = FCFS, 1 = the full boost (production-stack's seed default 0.8). */
    batchingPreference: z.number().min(0).max(1).default(0.8),
    /** The boost at preference 1: how much earlier a running workflow's request sorts, ms. */
    maxBoostMs: z.number().nonnegative().default(2000),
  }),
  make: (o) => new WorkflowBatchingPolicy({ ...o, maxBoostUs: o.maxBoostMs * 1000 }),
});
