import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { instantiate } from '../registry.js';
import { HealthTracker } from './health.js';
import { PRODUCTION_STACK_RETRY, routerBackoffUs } from './router-retry.js';
import { RECOVERY_POLICIES, type CallFailure, type RecoveryPolicy } from './workflow-recovery.js';

const ctx = { blockSize: 16 };
const make = (kind: string, options: Record<string, unknown> = {}) =>
  instantiate<RecoveryPolicy>(RECOVERY_POLICIES, { kind, options }, ctx, 'recovery policy');
const failure = (over: Partial<CallFailure> = {}): CallFailure => ({ outcome: 'failed', retryable: true, nodeRetries: 0, restarts: 0, ...over });

describe('HealthTracker', () => {
  it('production-stack thresholds (1/1): one failed probe marks down, one pass marks up', () => {
    const t = new HealthTracker({ failureThreshold: 1, successThreshold: 1 });
    expect(t.record(true)).toBeNull();
    expect(t.record(false)).toBe('down');
    expect(t.record(false)).toBeNull();
    expect(t.record(true)).toBe('up');
    expect(t.healthy).toBe(true);
  });

  it('needs consecutive results: a pass resets the failure count and vice versa', () => {
    const t = new HealthTracker({ failureThreshold: 3, successThreshold: 2 });
    expect([t.record(false), t.record(false), t.record(true), t.record(false), t.record(false)]).toEqual([null, null, null, null, null]);
    expect(t.record(false)).toBe('down');
    expect([t.record(true), t.record(false), t.record(true)]).toEqual([null, null, null]);
    expect(t.record(true)).toBe('up');
  });
});

describe('router backoff (production-stack RetryConfig.backoff_seconds)', () => {
  it('grows by the multiplier, is capped, and jitters within ±jitter', () => {
    const rng = new SeededRng(1);
    const noJitter = { ...PRODUCTION_STACK_RETRY, jitter: 0 };
    expect([0, 1, 2].map((k) => routerBackoffUs(noJitter, k, rng))).toEqual([50_000, 75_000, 112_500]);
    expect(routerBackoffUs(noJitter, 40, rng)).toBe(30_000_000);
    for (let i = 0; i < 200; i++) {
      const us = routerBackoffUs(PRODUCTION_STACK_RETRY, 2, rng);
      expect(us).toBeGreaterThanOrEqual(112_500 * 0.8 - 1);
      expect(us).toBeLessThanOrEqual(112_500 * 1.2 + 1);
    }
  });
});

describe('router backoff jitter', () => {
  /** An Rng whose float() always returns `u`, counting draws. */
  const fixed = (u: number) => {
    const rng = { draws: 0, float: () => { rng.draws++; return u; }, int: () => 0, fork: () => rng };
    return rng;
  };
  const cfg = { ...PRODUCTION_STACK_RETRY, initialBackoffMs: 100, jitter: 0.2 };

  it('scales the delay by 1 + (2u - 1) × jitter, one draw', () => {
    const up = fixed(0.75);
    expect(routerBackoffUs(cfg, 0, up)).toBe(110_000); // 100 ms × (1 + 0.5 × 0.2)
    expect(up.draws).toBe(1);
    expect(routerBackoffUs(cfg, 0, fixed(0.25))).toBe(90_000); // 100 ms × (1 - 0.5 × 0.2)
  });

  it('draws nothing without jitter', () => {
    const rng = fixed(0.75);
    expect(routerBackoffUs({ ...cfg, jitter: 0 }, 1, rng)).toBe(150_000); // 100 × 1.5
    expect(rng.draws).toBe(0);
  });
});

describe('workflow recovery policies', () => {
  const rng = new SeededRng(7);

  it('fail-workflow always gives up', () => {
    expect(make('fail-workflow').onCallFailed(failure(), rng)).toEqual({ action: 'fail-workflow' });
  });

  it('retry-call: LangGraph backoff (0.5 s × 2^k + U[0,1) s), within maxAttempts, never for non-retryable errors', () => {
    const p = make('retry-call');
    const d0 = p.onCallFailed(failure(), rng);
    const d1 = p.onCallFailed(failure({ nodeRetries: 1 }), rng);
    expect(d0.action).toBe('retry-call');
    expect(d1.action).toBe('retry-call');
    const us = (d: typeof d0) => ('delayUs' in d ? d.delayUs : NaN);
    expect(us(d0)).toBeGreaterThanOrEqual(500_000);
    expect(us(d0)).toBeLessThan(1_500_000);
    expect(us(d1)).toBeGreaterThanOrEqual(1_000_000);
    expect(us(d1)).toBeLessThan(2_000_000);
    // maxAttempts 3 counts the first attempt: the third failure of a node is final.
    expect(p.onCallFailed(failure({ nodeRetries: 2 }), rng)).toEqual({ action: 'fail-workflow' });
    expect(p.onCallFailed(failure({ retryable: false }), rng)).toEqual({ action: 'fail-workflow' });
    const exact = make('retry-call', { jitter: false, initialIntervalMs: 100, maxIntervalMs: 300, maxAttempts: 10 });
    expect([0, 1, 2, 3].map((k) => exact.onCallFailed(failure({ nodeRetries: k }), rng))).toEqual(
      [100_000, 200_000, 300_000, 300_000].map((delayUs) => ({ action: 'retry-call', delayUs })));
  });

  it('restart-workflow restarts up to maxRestarts times', () => {
    const p = make('restart-workflow', { maxRestarts: 1, jitter: false });
    expect(p.onCallFailed(failure(), rng)).toEqual({ action: 'restart-workflow', delayUs: 500_000 });
    expect(p.onCallFailed(failure({ restarts: 1 }), rng)).toEqual({ action: 'fail-workflow' });
  });

  it('rejects unknown options with the valid ones', () => {
    expect(() => make('retry-call', { retries: 3 })).toThrow();
  });
});
