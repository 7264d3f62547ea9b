import { describe, expect, it } from 'vitest';
import { instantiate } from '../registry.js';
import type { Rng, RoutingPolicy } from '../types.js';
import { HashRing } from './hash-ring.js';
import { ROUTING_POLICIES } from './registry.js';
import { request, view } from './routing.suite.js';
import { sessionFactory } from './session.js';

const make = (options: Record<string, unknown> = {}): RoutingPolicy =>
  instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind: 'session', options }, { blockSize: 16 }, 'routing policy');

/** An Rng for cases with a unique answer: any tie-break draw fails the test. */
const noTies: Rng = {
  float: () => { throw new Error('unexpected random draw'); },
  int: () => { throw new Error('unexpected tie'); },
  fork: () => noTies,
};

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
    expect(keys.map((k) => p.route(request(0, { sessionKey: k }), views, noTies))).toEqual(keys.map((k) => ring.get(k)));
  });

  it('rebuilds the ring when the healthy set changes, even at the same size', () => {
    const p = make({ virtualNodes: 4 });
    const keys = Array.from({ length: 60 }, (_, k) => `user-${k}`);
    for (const k of keys) p.route(request(0, { sessionKey: k }), [view('a'), view('b')], noTies);
    // b down, c up: still two healthy instances, but b must get nothing.
    const swapped = [view('a'), view('b', { healthy: false }), view('c')];
    const ring = new HashRing(['a', 'c'], 4);
    expect(keys.map((k) => p.route(request(1, { sessionKey: k }), swapped, noTies))).toEqual(keys.map((k) => ring.get(k)));
  });

  it('rejects a keyed request when nothing is healthy, even on the first call', () => {
    const p = make();
    expect(p.route(request(0, { sessionKey: 'u' }), [view('a', { healthy: false })], noTies)).toEqual(NO_HEALTHY);
    expect(p.stats?.()).toEqual({ hashed: 0, fallbacks: 0 });
  });

  it('without a key takes the least loaded, also when it is the first instance, and counts both paths', () => {
    const p = make();
    // running + waiting: a 0, b 1, c 2 → a (index 0).
    expect(p.route(request(0), [view('a'), view('b', { running: 1 }), view('c', { waiting: 2 })], noTies)).toBe('a');
    p.route(request(1, { sessionKey: 'u1' }), [view('a'), view('b')], noTies);
    p.route(request(2, { sessionKey: 'u2' }), [view('a'), view('b')], noTies);
    expect(p.route(request(3), [view('a', { healthy: false })], noTies)).toEqual(NO_HEALTHY);
    expect(p.stats?.()).toEqual({ hashed: 2, fallbacks: 1 });
  });
});
