import { describe, expect, it } from 'vitest';
import type { Rng, RoutingPolicy } from '../types.js';
import { HashRing } from './hash-ring.js';
import { cachedBlocks, kvAwareFactory, pickEqual } from './kv-aware.js';
import { PrefixIndex } from './prefix-index.js';
import { request, view } from './routing.suite.js';
import { keepFirst, noTies, routingPolicy } from './testing.js';

const make = (options: Record<string, unknown> = {}): RoutingPolicy => routingPolicy('kv-aware', options);

const holding = (n: number) => (blocks: readonly number[]) => Math.min(n, blocks.length);

describe('kv-aware: registry entry', () => {
  it('is named kv-aware, states its rule and accepts both fallbacks by name', () => {
    expect(make().name).toBe('kv-aware');
    expect(kvAwareFactory.summary).toContain('longest cached prefix');
    expect(make({ fallback: 'session' }).name).toBe('kv-aware');
    expect(make({ fallback: 'least-loaded' }).name).toBe('kv-aware');
  });
});

describe('cachedBlocks', () => {
  it('gives -1 for unhealthy instances and says whether every healthy view was exact', () => {
    const idx = new PrefixIndex(100);
    const out: number[] = [];
    const req = request(0);
    const exactViews = [view('a', { cachedPrefixBlocks: holding(3) }), view('b', { healthy: false, cachedPrefixBlocks: holding(5) })];
    expect(cachedBlocks(req, exactViews, idx, out)).toEqual({ best: 3, exact: true });
    expect(out).toEqual([3, -1]);
    // c has no exact state: its match (0, nothing routed) comes from the index.
    expect(cachedBlocks(req, [...exactViews, view('c')], idx, out)).toEqual({ best: 3, exact: false });
    expect(out).toEqual([3, -1, 0]);
  });
});

describe('pickEqual', () => {
  it('picks among the indices equal to the target, -1 when none is', () => {
    expect(pickEqual([1, 2], 5, keepFirst)).toBe(-1);
    // Ties at 0 and 2; int(2) = 1 ≠ 0 keeps index 0.
    expect(pickEqual([3, 1, 3], 3, keepFirst)).toBe(0);
    const takeLast: Rng = { float: () => 0, int: () => 0, fork: () => takeLast };
    expect(pickEqual([3, 1, 3], 3, takeLast)).toBe(2);
  });
});

describe('kv-aware: fallback', () => {
  // No instance holds anything; a is busier (running 3) than b.
  const views = [view('a', { running: 3, cachedPrefixBlocks: holding(0) }), view('b', { cachedPrefixBlocks: holding(0) })];
  // A session key whose ring owner (two instances, 160 points each) is the busier a.
  const ring = new HashRing(['a', 'b'], 160);
  const key = Array.from({ length: 50 }, (_, k) => `user-${k}`).find((k) => ring.get(k) === 'a')!;

  it('with no match at all, even for a short prompt, falls back', () => {
    // 128 tokens, nothing cached, maxUnmatchedTokens 2000: still a fallback (best = 0) → least loaded b.
    const p = make({ fallback: 'least-loaded' });
    expect(p.route(request(0), views, noTies)).toBe('b');
    expect(p.stats?.()).toEqual({ matched: 0, fallbacks: 1 });
  });

  it('session (the default) hashes the key; least-loaded ignores it', () => {
    expect(key).toBeDefined();
    expect(make().route(request(0, { sessionKey: key }), views, noTies)).toBe('a');
    expect(make({ fallback: 'session' }).route(request(0, { sessionKey: key }), views, noTies)).toBe('a');
    expect(make({ fallback: 'least-loaded' }).route(request(0, { sessionKey: key }), views, noTies)).toBe('b');
    // Without a key the session fallback takes the least loaded too.
    expect(make().route(request(0), views, noTies)).toBe('b');
  });

  it('least loaded may be the first instance', () => {
    const first = [view('a', { cachedPrefixBlocks: holding(0) }), view('b', { running: 2, cachedPrefixBlocks: holding(0) })];
    expect(make({ fallback: 'least-loaded' }).route(request(0), first, noTies)).toBe('a');
  });

  it('forgets the routed blocks of an instance that went down', () => {
    // No exact state: the index. After routing doc to a, a matches all 8 blocks (128 ≤ 2000 + 128).
    const p = make({ fallback: 'least-loaded' });
    const idle = [view('a', { running: 1 }), view('b')];
    p.onRouted?.(request(0, {}, 'doc'), 'a');
    expect(p.route(request(0, { nowUs: 1 }, 'doc'), idle, noTies)).toBe('a');
    p.onInstanceDown?.('a');
    expect(p.route(request(0, { nowUs: 2 }, 'doc'), idle, noTies)).toBe('b');
    expect(p.stats?.()).toEqual({ matched: 1, fallbacks: 1 });
  });
});
