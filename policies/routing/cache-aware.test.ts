import { describe, expect, it } from 'vitest';
import { hashString } from '../kv/hash.js';
import type { RouteRequest, RoutingPolicy } from '../types.js';
import { cacheAwareFactory } from './cache-aware.js';
import { view } from './routing.suite.js';
import { noTies, routingPolicy } from './testing.js';

const make = (options: Record<string, unknown> = {}): RoutingPolicy => routingPolicy('cache-aware', options);

function docRequest(doc: string, blocks: number, nowUs: number): RouteRequest {
  return {
    id: `r-${doc}-${nowUs}`, promptBlocks: Array.from({ length: blocks }, (_, b) => hashString(`${doc}/${b}`)),
    promptTokens: blocks * 16, maxTokens: 64, nowUs,
  };
}

describe('cache-aware: registry entry', () => {
  it('is named cache-aware and names SGLang', () => {
    expect(make().name).toBe('cache-aware');
    expect(cacheAwareFactory.summary).toContain('SGLang router cache_aware');
  });
});

describe('cache-aware: balance', () => {
  it('measures imbalance as max − min (not max + min), and counts imbalanced decisions', () => {
    const p = make();
    p.onRouted?.(docRequest('doc', 8, 0), 'a');
    // a 60, b 30: 60 − 30 = 30 ≤ 64 → balanced, a holds the whole prompt (rate 1 > 0.3) → a.
    expect(p.route(docRequest('doc', 8, 1), [view('a', { running: 60 }), view('b', { running: 30 })], noTies)).toBe('a');
    // a 0, b 65: imbalanced → least loaded, a (the first instance).
    expect(p.route(docRequest('doc', 8, 2), [view('a'), view('b', { running: 65 })], noTies)).toBe('a');
    // Not cached: 'new' matches nowhere (rate 0) → smallest tree: b (0 blocks) over a (8).
    expect(p.route(docRequest('new', 8, 3), [view('a'), view('b')], noTies)).toBe('b');
    expect(p.stats?.()).toEqual({ balancedDecisions: 2, imbalancedDecisions: 1, cacheHits: 1, cacheMisses: 1 });
  });
});

describe('cache-aware: match', () => {
  it('an unhealthy instance never counts as a match', () => {
    // Nothing routed yet; with cacheThreshold 0.1 any matched block would route by match.
    const p = make({ cacheThreshold: 0.1 });
    expect(p.route(docRequest('doc', 8, 0), [view('x', { healthy: false }), view('a')], noTies)).toBe('a');
    expect(p.stats?.()).toMatchObject({ cacheHits: 0, cacheMisses: 1 });
  });

  it('forgets the tree of an instance that went down', () => {
    const p = make();
    p.onRouted?.(docRequest('doc', 8, 0), 'a');
    expect(p.route(docRequest('doc', 8, 1), [view('b'), view('a')], noTies)).toBe('a');
    p.onInstanceDown?.('a');
    // Rate 0 now; trees: b 0, a 0 → the tie is drawn; b is the only one of size 0 once a has one.
    p.onRouted?.(docRequest('other', 1, 2), 'a');
    expect(p.route(docRequest('doc', 8, 3), [view('b'), view('a')], noTies)).toBe('b');
  });
});

describe('cache-aware: tree eviction', () => {
  it('trims to maxTreeSizeTokens / blockSize blocks, then again one interval after the trim', () => {
    // 64 tokens = 4 blocks per tree, every 1 s.
    const p = make({ maxTreeSizeTokens: 64, evictionIntervalS: 1 });
    const views = [view('a'), view('b')];
    p.onRouted?.(docRequest('A', 4, 0), 'a');
    // First trim at 1 s: a holds exactly 4 blocks, all kept → A still matches (rate 1) → a.
    expect(p.route(docRequest('A', 4, 1_000_000), views, noTies)).toBe('a');
    // The next trim is due at 2 s. B's 4 blocks make a's tree 8 blocks, A the older half.
    p.onRouted?.(docRequest('B', 4, 1_100_000), 'a');
    // 1.5 s: no trim yet → A matches → a.
    expect(p.route(docRequest('A', 4, 1_500_000), views, noTies)).toBe('a');
    // 2 s: trimmed to the 4 most recent (B) → A matches nowhere → smallest tree, b.
    expect(p.route(docRequest('A', 4, 2_000_000), views, noTies)).toBe('b');
  });
});
