import { describe, expect, it } from 'vitest';
import type { InstanceView, Rng, RouteRequest, RoutingPolicy } from '../policies/types.js';
import { RetryState, RouterCore, ROUTER_DEFAULTS } from './router-core.js';

const view = (id: string, healthy = true): InstanceView => ({ id, healthy, running: 0, waiting: 0, kvBlocksUsed: 0, kvBlocksTotal: 100, inflightPrefillTokens: 0, inflightDecodeTokens: 0 });
const route = { id: 'r', promptBlocks: [], promptTokens: 10, maxTokens: 5, nowUs: 0 } as RouteRequest;

/** Picks the first healthy candidate; records what it was told. */
class First implements RoutingPolicy {
  readonly name = 'first';
  readonly seen: string[][] = [];
  readonly told: string[] = [];
  route(_r: RouteRequest, vs: readonly InstanceView[]) {
    this.seen.push(vs.map((v) => v.id));
    const v = vs.find((x) => x.healthy);
    return v ? v.id : { reject: 'none left' };
  }
  onRouted(_r: RouteRequest, id: string) { this.told.push(`routed ${id}`); }
  onFinished(_r: RouteRequest, id: string, ok: boolean) { this.told.push(`${ok ? 'ok' : 'failed'} ${id}`); }
}

/** An Rng that always draws `x` (backoff jitter). */
const fixed = (x: number): Rng => ({ float: () => x, int: () => 0, fork: () => fixed(x) });

describe('RouterCore (production-stack RetryState semantics)', () => {
  it('defaults are production-stack\'s: one attempt, 50 ms × 1.5^k backoff up to 30 s ±20 %, no idle timeout', () => {
    expect(ROUTER_DEFAULTS).toEqual({ timeoutUs: Infinity, retry: { maxAttempts: 1, initialBackoffMs: 50, maxBackoffMs: 30_000, backoffMultiplier: 1.5, jitter: 0.2 } });
  });

  it('excludes failed instances for the request, counts attempts, then backs off with the exclusions cleared', () => {
    const p = new First();
    // jitter draw 0.75 → factor 1 + (0.75 × 2 − 1) × 0.2 = 1.1.
    const core = new RouterCore(fixed(0), fixed(0.75), { timeoutUs: Infinity, retry: { ...ROUTER_DEFAULTS.retry, maxAttempts: 4 } });
    const s = new RetryState();
    const vs = [view('a'), view('b')];
    expect(core.next(s, p, route, vs, 0)).toEqual({ kind: 'send', instanceId: 'a' });
    expect(core.failed(s, p, route, 'a', 'transport', 0)).toBe(true);
    expect(core.next(s, p, route, vs, 0)).toEqual({ kind: 'send', instanceId: 'b' });
    expect(core.failed(s, p, route, 'b', 'transport', 0)).toBe(true);
    // Both excluded, attempts 2 < 4: back off 50 ms × 1.1 = 55 ms, exclusions cleared.
    expect(core.next(s, p, route, vs, 0)).toEqual({ kind: 'backoff', delayUs: 55_000 });
    expect(s.excluded).toBeNull();
    expect(core.next(s, p, route, vs, 0)).toEqual({ kind: 'send', instanceId: 'a' });
    expect(core.failed(s, p, route, 'a', 'transport', 0)).toBe(true);
    expect(core.next(s, p, route, vs, 0)).toEqual({ kind: 'send', instanceId: 'b' });
    // Fourth attempt failed: the budget is spent.
    expect(core.failed(s, p, route, 'b', 'transport', 0)).toBe(false);
    expect(s.attempts).toBe(4);
    expect(p.seen).toEqual([['a', 'b'], ['b'], [], ['a', 'b'], ['b']]);
    expect(p.told).toEqual(['routed a', 'failed a', 'routed b', 'failed b', 'routed a', 'failed a', 'routed b', 'failed b']);
    // The second backoff would be 50 × 1.5 = 75 ms × 1.1 = 82.5 ms.
    const s2 = Object.assign(new RetryState(), { attempts: 1, backoffs: 1, excluded: ['a', 'b'] });
    expect(core.next(s2, p, route, vs, 0)).toEqual({ kind: 'backoff', delayUs: 82_500 });
  });

  it('never re-sends what is not a transport failure, or what already streamed; rejects when nothing can take it', () => {
    const p = new First();
    const core = new RouterCore(fixed(0), fixed(0.5), { timeoutUs: Infinity, retry: { ...ROUTER_DEFAULTS.retry, maxAttempts: 3 } });
    const s = new RetryState();
    core.next(s, p, route, [view('a')], 0);
    expect(core.failed(s, p, route, 'a', 'other', 0)).toBe(false);
    const t = new RetryState();
    core.next(t, p, route, [view('a')], 0);
    t.streaming = true;
    expect(core.failed(t, p, route, 'a', 'transport', 0)).toBe(false);
    expect(core.next(new RetryState(), p, route, [view('a', false)], 0)).toEqual({ kind: 'reject', reason: 'router: none left' });
    // A disaggregated decode phase is routed without counting an attempt.
    const d = new RetryState();
    core.next(d, p, route, [view('a')], 0, false);
    expect(d.attempts).toBe(0);
  });
});
