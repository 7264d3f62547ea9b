import type { DeclaredHints } from '../types.js';
import type { KvRequest } from '../kv/request.js';

/**
 * Lifecycle of a request inside one engine (vLLM's RequestStatus, reduced); `waiting-kv` is
 * WAITING_FOR_REMOTE_KVS: blocks allocated, a KV connector still loading into them.
 */
export type RequestStatus = 'waiting' | 'waiting-kv' | 'running' | 'preempted' | 'finished' | 'aborted';

/**
 * What the batch scheduler and its queue policies see of a request. It carries what a real
 * request carries (ids, priority, declared hints) and progress counters; never the true output
 * length (the engine keeps that private: the oracle boundary).
 */
export interface SchedRequest extends KvRequest {
  readonly promptTokens: number;
  readonly arrivalUs: number;
  /** Admission order into this engine; the final tie-break of every queue order. */
  readonly seq: number;
  numOutputTokens: number;
  status: RequestStatus;
  /** Tokens scheduled in the current step (0 when not in the batch). */
  numScheduledTokens: number;
  /** Prompt tokens served from the prefix cache at first admission; -1 before it. */
  numCachedTokens: number;
  /** Of those, tokens whose blocks were last used by another agent or workflow. */
  crossAgentCachedTokens: number;
  /** Declared hints forwarded from the client (workflow-aware queue orders may read them). */
  readonly hints?: DeclaredHints | undefined;
  /** Tokens a KV connector is loading for the request (status `waiting-kv`), else 0. */
  numExternalTokens?: number;
}

/** The waiting queue of one engine; its order is the scheduling policy. */
export interface WaitingQueue {
  readonly size: number;
  /** A new arrival. */
  add(req: SchedRequest): void;
  /** A preempted request going back (vLLM prepend_request: the front for FCFS). */
  prepend(req: SchedRequest): void;
  /** The request the scheduler should try next. */
  peek(): SchedRequest | undefined;
  /** Remove and return {@link peek}'s request. */
  pop(): SchedRequest;
  /** Remove a specific request (abort); false if absent. */
  remove(req: SchedRequest): boolean;
  /** All queued requests, in no particular order. */
  values(): Iterable<SchedRequest>;
}

/** A scheduling policy: the waiting-queue order and the preemption victim. */
export interface SchedulingPolicy {
  readonly name: string;
  newQueue(): WaitingQueue;
  /** Index in `running` of the request to preempt when KV blocks run out. */
  preemptionVictim(running: readonly SchedRequest[]): number;
  /** Called when a step starts choosing its batch, before the first queue peek (time-dependent orders). */
  beforeSchedule?(nowUs: number): void;
  /** Called after each step's batch is chosen (policies that track attained service). */
  onScheduled?(batch: readonly SchedRequest[], nowUs: number): void;
  /** Called when a request leaves the engine (finished or aborted), at `nowUs`. */
  onFinished?(req: SchedRequest, nowUs: number): void;
  /** Counters of the policy's decisions, summed over instances into the run summary as `scheduling.<key>`. */
  stats?(): Record<string, number>;
}

/** vLLM's SchedulerConfig fields that shape a batch. */
export interface SchedulerLimits {
  /** Token budget per step (max_num_batched_tokens). */
  readonly maxNumBatchedTokens: number;
  /** Running requests at most (max_num_seqs). */
  readonly maxNumSeqs: number;
  readonly maxModelLen: number;
  /** Cap on tokens of one prefill per step; 0 = off (vLLM's default with one partial prefill). */
  readonly longPrefillTokenThreshold: number;
}
