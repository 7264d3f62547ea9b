import { describe, expect, it } from 'vitest';
import { hashString } from '../kv/hash.js';
import type { InstanceView, RouteRequest, RoutingPolicy } from '../types.js';
import { view } from './routing.suite.js';
import { noDraws, routingPolicy } from './testing.js';
import { scoredFactory } from './scored.js';

const make = (options: Record<string, unknown> = {}): RoutingPolicy => routingPolicy('scored', options);

function docRequest(i: number, doc: string, blocks: number, over: Partial<RouteRequest> = {}): RouteRequest {
  return {
    id: `r${i}`, promptBlocks: Array.from({ length: blocks }, (_, b) => hashString(`${doc}/${b}`)),
    promptTokens: blocks * 16, maxTokens: 64, nowUs: i * 1000, ...over,
  };
}

describe('scored: registry entry', () => {
  it('is named scored, states its profile and accepts both prefix sources by name', () => {
    expect(make().name).toBe('scored');
    expect(scoredFactory.summary).toContain('llm-d EPP');
    expect(make({ prefixSource: 'approximate' }).name).toBe('scored');
    expect(make({ prefixSource: 'precise' }).name).toBe('scored');
  });
});

describe('scored: queue scorer', () => {
  it('ignores unhealthy instances when finding the longest queue', () => {
    // prefix 0, queue 2, kv 2. Healthy waiting: a 0, b 4 → minQ 0, maxQ 4 (c, down, has 100).
    // a: queue 2 × 1 = 2, kv 2 × 0.5 = 1 → 3;  b: queue 0, kv 2 × 1 = 2 → 2  → a.
    // (Counting c: maxQ 100, b's queue (100−4)/100 = 0.96 → b = 1.92 + 2 = 3.92 > 3.)
    const p = make({ prefixWeight: 0 });
    const views = [
      view('a', { waiting: 0, kvBlocksUsed: 500 }),
      view('b', { waiting: 4, kvBlocksUsed: 0 }),
      view('c', { waiting: 100, healthy: false }),
    ];
    expect(p.route(docRequest(0, 'd', 2), views, noDraws)).toBe('a');
  });

  it('normalises by maxQ − minQ', () => {
    // waiting a 2, b 4, c 3 → minQ 2, maxQ 4, range 2: queue a 1, b 0, c 0.5.
    // a: 2 × 1 + 2 × 0.6 = 3.2;  b: 0 + 2 × 0 = 0;  c: 2 × 0.5 + 2 × 1 = 3  → a.
    // (Dividing by maxQ + minQ = 6: a 2/6 × 2 + 1.2 = 1.87, c 1/6 × 2 + 2 = 2.33 → c.)
    const p = make({ prefixWeight: 0 });
    const views = [
      view('a', { waiting: 2, kvBlocksUsed: 400 }),
      view('b', { waiting: 4, kvBlocksUsed: 1000 }),
      view('c', { waiting: 3, kvBlocksUsed: 0 }),
    ];
    expect(p.route(docRequest(0, 'd', 2), views, noDraws)).toBe('a');
  });

  it('an instance without KV blocks scores 0 on KV, not NaN', () => {
    // Both kvBlocksTotal 0 → kv 0. b waiting 1, a waiting 0: a queue 2, b 0 → a
    // (a NaN score would keep the first one looked at, b).
    const p = make({ prefixWeight: 0 });
    const views = [view('b', { waiting: 1, kvBlocksTotal: 0 }), view('a', { waiting: 0, kvBlocksTotal: 0 })];
    expect(p.route(docRequest(0, 'd', 2), views, noDraws)).toBe('a');
  });

  it('a prompt without blocks scores 0 on prefix, not NaN', () => {
    // No blocks → prefix 0 for all; b waiting 0 → queue 2 vs a's 0 → b.
    const p = make();
    const views = [view('a', { waiting: 1 }), view('b', { waiting: 0 })];
    expect(p.route(docRequest(0, 'd', 0), views, noDraws)).toBe('b');
  });
});

describe('scored: prefix scorer', () => {
  it('looks up only healthy instances, only with blocks and a non-zero prefix weight, and counts each lookup', () => {
    const views = (): InstanceView[] => [view('a', { cachedPrefixBlocks: () => 0 }), view('b', { healthy: false, cachedPrefixBlocks: () => 0 })];
    const approx = make();
    approx.route(docRequest(0, 'd', 4, { sessionKey: 's' }), views(), noDraws);
    // One healthy instance → one approximate lookup (a's exact state is not used: source approximate).
    expect(approx.stats?.()).toEqual({ preciseLookups: 0, approximateLookups: 1 });
    approx.route(docRequest(1, 'd', 0), views(), noDraws);
    expect(approx.stats?.()).toEqual({ preciseLookups: 0, approximateLookups: 1 });
    const zero = make({ prefixWeight: 0 });
    zero.route(docRequest(0, 'd', 4), views(), noDraws);
    expect(zero.stats?.()).toEqual({ preciseLookups: 0, approximateLookups: 0 });

    const precise = make({ prefixSource: 'precise' });
    const exact = [view('a', { cachedPrefixBlocks: () => 0 }), view('b', { waiting: 1, cachedPrefixBlocks: () => 0 }), view('c', { waiting: 2 })];
    precise.route(docRequest(0, 'd', 4), exact, noDraws);
    precise.route(docRequest(1, 'd', 4), exact, noDraws);
    // Per route: a, b precise (2), c has no exact state → approximate (1); twice.
    expect(precise.stats?.()).toEqual({ preciseLookups: 4, approximateLookups: 2 });
  });

  it('with the approximate source, the routed-block index is what matches', () => {
    // prefix 3, queue 2, kv 0. a was sent doc d: a = 3 × 1 + 0 = 3, b (shorter queue) = 0 + 2 = 2 → a.
    const p = make({ kvUtilizationWeight: 0 });
    const views = [view('a', { waiting: 1 }), view('b', { waiting: 0 })];
    p.onRouted?.(docRequest(0, 'd', 4), 'a');
    expect(p.route(docRequest(1, 'd', 4), views, noDraws)).toBe('a');
    // a goes down: its index is gone, a = 0 + 0, b = 2 → b.
    p.onInstanceDown?.('a');
    expect(p.route(docRequest(2, 'd', 4), views, noDraws)).toBe('b');
  });

  it('matches only the first maxPrefixBlocksToMatch blocks, in lookups and in the index', () => {
    const seen: number[] = [];
    const precise = make({ prefixSource: 'precise', maxPrefixBlocksToMatch: 4 });
    const spy = (blocks: readonly number[]) => { seen.push(blocks.length); return 0; };
    precise.route(docRequest(0, 'd', 8), [view('a', { cachedPrefixBlocks: spy })], noDraws);
    precise.route(docRequest(1, 'd', 3), [view('a', { cachedPrefixBlocks: spy })], noDraws);
    expect(seen).toEqual([4, 3]);

    // The index holds 4 blocks per instance. Routing an 8-block prompt remembers its first 4
    // (all 8 would push them out, keeping blocks 4–7, which never match a prefix).
    // prefix 3, queue 2, kv 0: a = 3 × 4/4 + 0 = 3, b = 0 + 2 = 2 → a.
    const p = make({ lruCapacityPerServer: 4, maxPrefixBlocksToMatch: 4, kvUtilizationWeight: 0 });
    p.onRouted?.(docRequest(0, 'd', 8), 'a');
    expect(p.route(docRequest(1, 'd', 8), [view('a', { waiting: 1 }), view('b', { waiting: 0 })], noDraws)).toBe('a');
  });
});

describe('scored: session affinity scorer', () => {
  // Only the session scorer (5) and the queue (2): b has the shorter queue (2), the session's
  // last instance a scores 5 → a while remembered, b otherwise.
  const views = [view('a', { waiting: 1 }), view('b', { waiting: 0 })];
  const routeOf = (p: RoutingPolicy, key: string) => p.route(docRequest(0, 'd', 0, { sessionKey: key }), views, noDraws);

  it('remembers at most 100,000 sessions, forgetting the least recently routed', () => {
    const p = make({ prefixWeight: 0, kvUtilizationWeight: 0, sessionAffinityWeight: 5 });
    for (let k = 0; k < 100_000; k++) p.onRouted?.(docRequest(k, 'd', 0, { sessionKey: `s${k}` }), 'a');
    expect(routeOf(p, 's0')).toBe('a');
    // A request without a session key takes no session slot.
    p.onRouted?.(docRequest(0, 'd', 0), 'a');
    expect(routeOf(p, 's0')).toBe('a');
    // Re-routing s0 makes it most recent; the next new session evicts s1 (the oldest), not s0.
    p.onRouted?.(docRequest(0, 'd', 0, { sessionKey: 's0' }), 'a');
    p.onRouted?.(docRequest(0, 'd', 0, { sessionKey: 'new' }), 'a');
    expect(routeOf(p, 's0')).toBe('a');
    expect(routeOf(p, 's1')).toBe('b');
    expect(routeOf(p, 's2')).toBe('a');
  });
});
