import { z } from 'zod';
import { definePolicy, noOptions, type PolicyRegistry } from '../registry.js';
import type { Rng } from '../types.js';

/** What the workflow runner knows when one of a workflow's calls has failed for good. */
export interface CallFailure {
  readonly outcome: 'failed' | 'rejected' | 'timeout';
  /** False for errors a new attempt cannot fix (e.g. a prompt longer than max_model_len). */
  readonly retryable: boolean;
  /** Times this node was already re-sent by the runner in this run of the workflow. */
  readonly nodeRetries: number;
  /** Times this workflow was already restarted. */
  readonly restarts: number;
}

/** What the runner does about a failed call. */
export type RecoveryDecision =
  | { readonly action: 'fail-workflow' }
  | { readonly action: 'retry-call'; readonly delayUs: number }
  | { readonly action: 'restart-workflow'; readonly delayUs: number };

/**
 * Workflow-level recovery, i.e. what the agent framework does when an LLM call of a workflow
 * fails after the router gave up on it. Pure: the delay's jitter comes from `rng`.
 */
export interface RecoveryPolicy {
  readonly name: string;
  onCallFailed(f: CallFailure, rng: Rng): RecoveryDecision;
}

const FAIL = { action: 'fail-workflow' } as const;

/**
 * Exponential backoff with additive jitter, as LangGraph's RetryPolicy computes it
 * (langgraph/pregel/retry.py, run_with_retry: interval = min(max_interval,
 * initial_interval × backoff_factor^(attempt-1)), plus U[0, 1) s when jitter is on).
 */
const backoffShape = {
  initialIntervalMs: z.number().nonnegative().default(500),
  backoffFactor: z.number().min(1).default(2),
  maxIntervalMs: z.number().nonnegative().default(128_000),
  jitter: z.boolean().default(true),
};
type Backoff = { initialIntervalMs: number; backoffFactor: number; maxIntervalMs: number; jitter: boolean };

function backoffUs(o: Backoff, k: number, rng: Rng): number {
  const ms = Math.min(o.maxIntervalMs, o.initialIntervalMs * o.backoffFactor ** k) + (o.jitter ? rng.float() * 1000 : 0);
  return Math.round(ms * 1000);
}

/** `fail-workflow`: the first call lost for good fails its workflow (nothing new starts). */
export class FailWorkflowRecovery implements RecoveryPolicy {
  readonly name = 'fail-workflow';
  onCallFailed(): RecoveryDecision {
    return FAIL;
  }
}

/**
 * `retry-call`: send the failed call again after a backoff, up to `maxAttempts` attempts per
 * call (LangGraph RetryPolicy defaults: 3 attempts, 0.5 s × 2^k up to 128 s, jitter). The
 * router sees a new request and may route it anywhere: the workflow's affinity moves and the
 * KV it had on the lost instance is prefilled again.
 */
export class RetryCallRecovery implements RecoveryPolicy {
  readonly name = 'retry-call';
  constructor(readonly options: Backoff & { maxAttempts: number }) {}
  onCallFailed(f: CallFailure, rng: Rng): RecoveryDecision {
    if (!f.retryable || f.nodeRetries + 1 >= this.options.maxAttempts) return FAIL;
    return { action: 'retry-call', delayUs: backoffUs(this.options, f.nodeRetries, rng) };
  }
}

/**
 * `restart-workflow`: give up on this run of the workflow and start it again from its first
 * nodes after a backoff, up to `maxRestarts` times. Calls still in flight run to their end
 * first (their results are discarded); the rerun's prompts are the same, so whatever KV
 * survived is hit again.
 */
export class RestartWorkflowRecovery implements RecoveryPolicy {
  readonly name = 'restart-workflow';
  constructor(readonly options: Backoff & { maxRestarts: number }) {}
  onCallFailed(f: CallFailure, rng: Rng): RecoveryDecision {
    if (!f.retryable || f.restarts >= this.options.maxRestarts) return FAIL;
    return { action: 'restart-workflow', delayUs: backoffUs(this.options, f.restarts, rng) };
  }
}

/** Every workflow-level recovery option by the name scenarios use (`recovery:` of a policy). */
export const RECOVERY_POLICIES = {
  'fail-workflow': definePolicy({
    summary: 'the first call lost for good fails its workflow',
    options: noOptions,
    make: () => new FailWorkflowRecovery(),
  }),
  'retry-call': definePolicy({
    summary: 're-send the failed call after a backoff (LangGraph RetryPolicy defaults)',
    options: z.strictObject({ maxAttempts: z.int().min(1).default(3), ...backoffShape }),
    make: (o) => new RetryCallRecovery(o),
  }),
  'restart-workflow': definePolicy({
    summary: 'restart the whole workflow after a backoff',
    options: z.strictObject({ maxRestarts: z.int().min(0).default(2), ...backoffShape }),
    make: (o) => new RestartWorkflowRecovery(o),
  }),
} satisfies PolicyRegistry<RecoveryPolicy>;
