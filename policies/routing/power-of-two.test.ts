import { describe, expect, it } from 'vitest';
import { instantiate } from '../registry.js';
import type { Rng, RoutingPolicy } from '../types.js';
import { ROUTING_POLICIES } from './registry.js';
import { request, view } from './routing.suite.js';

describe('power-of-two', () => {
  it('between two equally loaded candidates takes the first drawn', () => {
    const p = instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind: 'power-of-two', options: {} }, { blockSize: 16 }, 'routing');
    // int() always 0: first candidate a = healthy[0] = 'a'; second int(1) = 0 ≥ a → 1 → 'b'.
    const zero: Rng = { float: () => 0, int: () => 0, fork: () => zero };
    expect(p.route(request(0), [view('a', { running: 1 }), view('b', { waiting: 1 })], zero)).toBe('a');
    // b lighter: b.
    expect(p.route(request(1), [view('a', { running: 2 }), view('b', { waiting: 1 })], zero)).toBe('b');
  });
});
