import { describe, expect, it } from 'vitest';
import type { RoutingPolicy } from '../types.js';
import { HashRing } from './hash-ring.js';
import { request, view } from './routing.suite.js';
import { noDraws, routingPolicy } from './testing.js';
import { sessionFactory } from './session.js';

const make = (options: Record<string, unknown> = {}): RoutingPolicy => routingPolicy('session', options);

const NO_HEALTHY = { reject: 'no healthy instance' };

describe('session: registry entry', () => {
  it('is named session and takes virtualNodes in 1..10,000', () => {
    expect(make().name).toBe('session');
    expect(sessionFactory.summary).toContain('consistent hashing');
    expect(make({ virtualNodes: 5 }).name).toBe('session');
    expect(make({ virtualNodes: 10_000 }).name).toBe('session');
    expect(() => make({ virtualNodes: 10_001 })).toThrow();
  });
});

describe('session: routing', () => {
  it('hashes the key on a ring of virtualNodes points per healthy instance', () => {
    const p = make({ virtualNodes: 1 });
    const ring = new HashRing(['a', 'b', 'c'], 1);
    const views = [view('a'), view('b'), view('c')];
    const keys = Array.from({ length: 100 }, (_, k) => `user-${k}`);
    expect(keys.map((k) => p.route(request(0, { sessionKey: k }), views, noDraws))).toEqual(keys.map((k) => ring.get(k)));
  });

  it('rebuilds the ring when the healthy set changes, even at the same size', () => {
    const p = make({ virtualNodes: 4 });
    const keys = Array.from({ length: 60 }, (_, k) => `user-${k}`);
    for (const k of keys) p.route(request(0, { sessionKey: k }), [view('a'), view('b')], noDraws);
    // b down, c up: still two healthy instances, but b must get nothing.
    const swapped = [view('a'), view('b', { healthy: false }), view('c')];
    const ring = new HashRing(['a', 'c'], 4);
    expect(keys.map((k) => p.route(request(1, { sessionKey: k }), swapped, noDraws))).toEqual(keys.map((k) => ring.get(k)));
  });

  it('rejects a keyed request when nothing is healthy, even on the first call', () => {
    const p = make();
    expect(p.route(request(0, { sessionKey: 'u' }), [view('a', { healthy: false })], noDraws)).toEqual(NO_HEALTHY);
    expect(p.stats?.()).toEqual({ hashed: 0, fallbacks: 0 });
  });

  it('without a key takes the least loaded, also when it is the first instance, and counts both paths', () => {
    const p = make();
    // running + waiting: a 0, b 1, c 2 → a (index 0).
    expect(p.route(request(0), [view('a'), view('b', { running: 1 }), view('c', { waiting: 2 })], noDraws)).toBe('a');
    p.route(request(1, { sessionKey: 'u1' }), [view('a'), view('b')], noDraws);
    p.route(request(2, { sessionKey: 'u2' }), [view('a'), view('b')], noDraws);
    expect(p.route(request(3), [view('a', { healthy: false })], noDraws)).toEqual(NO_HEALTHY);
    expect(p.stats?.()).toEqual({ hashed: 2, fallbacks: 1 });
  });
});
