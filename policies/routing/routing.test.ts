import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { instantiate } from '../registry.js';
import type { RoutingPolicy } from '../types.js';
import { ROUTING_POLICIES } from './registry.js';
import { request, runRoutingSuite, view } from './routing.suite.js';

for (const kind of Object.keys(ROUTING_POLICIES)) {
  runRoutingSuite(kind, { make: () => instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind, options: {} }, { blockSize: 16 }, 'routing policy') });
}

describe('round-robin', () => {
  it('cycles over healthy instances in order, skipping unhealthy ones', () => {
    const p = instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind: 'round-robin', options: {} }, { blockSize: 16 }, 'routing');
    const rng = new SeededRng(1);
    const views = [view('a'), view('b', { healthy: false }), view('c')];
    expect([0, 1, 2, 3].map((i) => p.route(request(i), views, rng))).toEqual(['a', 'c', 'a', 'c']);
  });
});

describe('least-loaded', () => {
  it('picks the fewest running + waiting and breaks ties at random', () => {
    const p = instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind: 'least-loaded', options: {} }, { blockSize: 16 }, 'routing');
    const rng = new SeededRng(1);
    expect(p.route(request(0), [view('a', { running: 2 }), view('b', { waiting: 1 }), view('c', { running: 1, waiting: 1 })], rng)).toBe('b');
    const picks = new Set<string>();
    for (let i = 0; i < 40; i++) picks.add(p.route(request(i), [view('a', { running: 1 }), view('b', { waiting: 1 }), view('c', { running: 5 })], rng) as string);
    expect([...picks].sort()).toEqual(['a', 'b']);
  });
});

describe('registry', () => {
  it('every policy reports its registry name and has a one-line summary', () => {
    for (const [kind, factory] of Object.entries(ROUTING_POLICIES)) {
      const p = instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind, options: {} }, { blockSize: 16 }, 'routing');
      expect(p.name).toBe(kind);
      expect(factory.summary).toMatch(/^\S.{20,}/);
    }
  });
});
