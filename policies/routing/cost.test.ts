import { describe, expect, it } from 'vitest';
import type { InstanceView, RouteRequest, Rng } from '../types.js';
import { costFactory, type CostPolicy } from './cost.js';
import { request, view } from './routing.suite.js';
import { routingPolicy } from './testing.js';

const make = (options: Record<string, unknown> = {}): CostPolicy => routingPolicy<CostPolicy>('cost', options);

/** An Rng whose float() returns `f`; ties (int) are not expected. */
const fixed = (f: number): Rng => ({
  float: () => f,
  int: () => { throw new Error('unexpected tie'); },
  fork: () => fixed(f),
});

/** A 16-token, one-block request (so this prompt adds 1 prefill and 1 decode block). */
const oneBlock = (i: number, over: Partial<RouteRequest> = {}): RouteRequest => request(i, { promptTokens: 16, ...over });

describe('cost: registry entry', () => {
  it('is named cost and states its formula', () => {
    expect(make().name).toBe('cost');
    expect(costFactory.summary).toContain('Dynamo KV router');
  });
});

describe('cost: logit', () => {
  it('is overlapScoreWeight × prefill blocks + decode blocks', () => {
    const p = make({ overlapScoreWeight: 2 });
    // Block size 16, 50 prompt tokens, 2 blocks cached.
    // prefill tokens = 32 queued + max(0, 50 − 2 × 16) = 32 + 18 = 50 → 50 / 16 = 3.125 blocks
    // decode blocks = floor(40 / 16) + ceil(50 / 16) = 2 + 4 = 6
    // logit = 2 × 3.125 + 6 = 12.25
    const v = view('a', { inflightPrefillTokens: 32, inflightDecodeTokens: 40 });
    expect(p.logit(request(0, { promptTokens: 50 }), v, 2)).toBe(12.25);
  });
});

describe('cost: softmax sampling (temperature > 0)', () => {
  // a: logit 1 + 1 = 2 (one prefill block, one decode block); b: 10 queued prefill blocks more → 12.
  // lo 2, hi 12, temperature 1: scale 1 / 10. Weights exp(0) = 1 for a, exp(−1) = 0.3679 for b;
  // sum 1.3679, so a takes u = float × sum < 1, i.e. float < 1 / 1.3679 = 0.7311.
  const a = view('a');
  const b = view('b', { inflightPrefillTokens: 160 });

  it('samples ∝ exp(−(logit − min) / (max − min) / temperature)', () => {
    const p = make({ temperature: 1 });
    expect(p.route(oneBlock(0), [a, b], fixed(0.7))).toBe('a');
    expect(p.route(oneBlock(1), [a, b], fixed(0.75))).toBe('b');
    expect(p.stats?.()).toEqual({ sampledDecisions: 2 });
  });

  it('weights each instance by exp(−(logit − min) × scale) in the walk too', () => {
    // a 2, m 7 (5 queued prefill blocks), b 12: scale 1 / 10, weights 1, e^−0.5 = 0.6065, e^−1 = 0.3679,
    // sum 1.9744. float 0.6 → u = 1.1846: a leaves 0.1846, m takes it (0.1846 − 0.6065 < 0) → m.
    const m = view('m', { inflightPrefillTokens: 80 });
    expect(make({ temperature: 1 }).route(oneBlock(0), [a, m, b], fixed(0.6))).toBe('m');
  });

  it('when rounding leaves nothing below 0 after the walk, the last healthy instance is taken', () => {
    // Logits 2, 4, 17, 10 (0, 2, 15 and 8 queued prefill blocks more), temperature 2: with
    // float = 1 − 2^−53, u = float × sum rounds so that subtracting the four weights ends at exactly 0.
    const views = [view('a'), view('b', { inflightPrefillTokens: 32 }), view('c', { inflightPrefillTokens: 240 }), view('d', { inflightPrefillTokens: 128 })];
    expect(make({ temperature: 2 }).route(oneBlock(0), views, fixed(1 - 2 ** -53))).toBe('d');
  });

  it('u landing exactly on a boundary goes to the next instance', () => {
    // float = 1 / sum makes u = 1 exactly (checked), and 1 − 1 = 0 is not below 0 → b.
    const sum = 1 + Math.exp(-1);
    const f = 1 / sum;
    expect(f * sum).toBe(1);
    expect(make({ temperature: 1 }).route(oneBlock(0), [a, b], fixed(f))).toBe('b');
  });

  it('skips unhealthy instances in the sum and the walk', () => {
    // x (down) first: a still takes float < 0.7311.
    const p = make({ temperature: 1 });
    const x = view('x', { healthy: false });
    expect(p.route(oneBlock(0), [x, a, b], fixed(0.1))).toBe('a');
    expect(p.route(oneBlock(1), [x, a, b], fixed(0.9))).toBe('b');
  });

  it('the spread is over healthy logits only, so a lone cheapest last instance is still sampled', () => {
    // b (12) then a (2): lo 2, hi 12 → sampled, not argmin.
    const p = make({ temperature: 1 });
    expect(p.route(oneBlock(0), [b, a], fixed(0.99))).toBe('a');
    expect(p.stats?.()).toEqual({ sampledDecisions: 1 });
  });

  it('equal logits take argmin (ties at random, no sampling); nothing healthy is rejected', () => {
    const p = make({ temperature: 1 });
    const seen = new Set<string>();
    const rng: Rng = { float: () => 0.5, int: (n) => n - 1, fork: () => rng };
    // Two idle instances: logits 2 and 2 → the tie draw int(2) = 1 ≠ 0 keeps the first, a.
    seen.add(p.route(oneBlock(0), [view('a'), view('b')], rng) as string);
    expect([...seen]).toEqual(['a']);
    expect(p.stats?.()).toEqual({ sampledDecisions: 0 });
    expect(p.route(oneBlock(1), [view('a', { healthy: false })], fixed(0.5))).toEqual({ reject: 'no healthy instance' });
  });
});

describe('cost: approximate index', () => {
  // No exact state in the views: overlap comes from routed blocks, kept approxTtlS = 1 s.
  // request(i) has 8 blocks; promptTokens 128 → 8 blocks. a holds them: prefill 0, decode 8 → 8;
  // b (cold): prefill 8 + decode 8 = 16 → a while remembered. Once forgotten, a busier a
  // (inflightDecodeTokens 32 → +2) loses: a 8 + 10 = 18 vs b 16.
  const views: InstanceView[] = [view('a', { inflightDecodeTokens: 32 }), view('b')];
  const req = (nowUs: number) => request(0, { nowUs }, 'doc');

  it('remembers routed blocks for approxTtlS seconds', () => {
    const p = make({ approxTtlS: 1 });
    p.onRouted?.(req(0), 'a');
    // a: prefill 0 + decode 2 + 8 = 10 < b's 16.
    expect(p.route(req(999_999), views, fixed(0))).toBe('a');
    expect(p.route(req(1_000_000), views, fixed(0))).toBe('b');
  });

  it('forgets an instance that went down', () => {
    const p = make();
    p.onRouted?.(req(0), 'a');
    expect(p.route(req(1), views, fixed(0))).toBe('a');
    p.onInstanceDown?.('a');
    expect(p.route(req(2), views, fixed(0))).toBe('b');
  });
});
