import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { instantiate } from '../registry.js';
import type { RoutingPolicy } from '../types.js';
import { ROUTING_POLICIES } from './registry.js';
import { request, view } from './routing.suite.js';

describe('round-robin', () => {
  it('a rejected request does not advance the cycle', () => {
    const p = instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind: 'round-robin', options: {} }, { blockSize: 16 }, 'routing');
    const rng = new SeededRng(1);
    const two = [view('a'), view('b')];
    expect(p.route(request(0), two, rng)).toBe('a');
    expect(p.route(request(1), [view('a', { healthy: false }), view('b', { healthy: false })], rng)).toEqual({ reject: 'no healthy instance' });
    // Position 1 of 2 → b (had the rejection counted, position 2 → a).
    expect(p.route(request(2), two, rng)).toBe('b');
  });
});
