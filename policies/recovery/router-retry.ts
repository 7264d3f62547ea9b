import type { Rng } from '../types.js';

/**
 * A router's request-level retry budget, as vLLM production-stack implements it
 * (src/vllm_router/services/request_service/retry.py, RetryConfig / RetryState):
 * `maxAttempts` counts the first attempt (1 = no retry, the default). A transport failure
 * (connection refused or reset, timeout) excludes that instance and the request is rerouted at
 * once to another one; when every candidate is excluded, the exclusions are cleared and the
 * router backs off before the next attempt. Retries happen only before the first token was
 * streamed to the client; a mid-stream error goes to the client as is. This replaces
 * production-stack's older `--max-instance-failover-reroute-attempts N` (default 0), which is
 * `maxAttempts: N + 1` here.
 */
export interface RouterRetryConfig {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  /** Relative jitter: the delay is scaled by 1 + U[-jitter, +jitter]. */
  readonly jitter: number;
}

/** production-stack's defaults (RetryConfig): one attempt, 50 ms × 1.5^k up to 30 s, ±20 %. */
export const PRODUCTION_STACK_RETRY: RouterRetryConfig = {
  maxAttempts: 1, initialBackoffMs: 50, maxBackoffMs: 30_000, backoffMultiplier: 1.5, jitter: 0.2,
};

/**
 * Delay before backoff number `retryIndex` (0-based), µs:
 * min(initial × multiplier^k, max) × (1 + U[-jitter, +jitter]) (production-stack
 * RetryConfig.backoff_seconds). One draw from `rng` when jitter > 0.
 */
export function routerBackoffUs(cfg: RouterRetryConfig, retryIndex: number, rng: Rng): number {
  let ms = Math.min(cfg.initialBackoffMs * cfg.backoffMultiplier ** retryIndex, cfg.maxBackoffMs);
  if (cfg.jitter > 0) ms = Math.max(0, ms * (1 + (rng.float() * 2 - 1) * cfg.jitter));
  return Math.round(ms * 1000);
}
