import { describe, expect, it } from 'vitest';
import { hashString } from '../kv/hash.js';
import type { RouteRequest, RoutingPolicy } from '../types.js';
import { prefixAwareFactory } from './prefix-aware.js';
import { view } from './routing.suite.js';
import { keepFirst, noTies, routingPolicy } from './testing.js';

const make = (options: Record<string, unknown> = {}): RoutingPolicy => routingPolicy('prefix-aware', options);

/** A prompt of `shared` blocks named by `doc`, then `own` blocks of its own. */
function prompt(i: number, doc: string, shared: number, own = 0): RouteRequest {
  const blocks = [
    ...Array.from({ length: shared }, (_, b) => hashString(`${doc}/${b}`)),
    ...Array.from({ length: own }, (_, b) => hashString(`own${i}/${b}`)),
  ];
  return { id: `r${i}`, promptBlocks: blocks, promptTokens: blocks.length * 16, maxTokens: 64, nowUs: i * 1000 };
}

describe('prefix-aware: registry entry', () => {
  it('is named prefix-aware and names production-stack', () => {
    expect(make().name).toBe('prefix-aware');
    expect(prefixAwareFactory.summary).toContain('production-stack prefixaware');
  });
});

describe('prefix-aware: matching', () => {
  it('takes the longest match over a lighter load, and counts matches and fallbacks', () => {
    const p = make();
    p.onRouted?.(prompt(0, 'doc', 8), 'a');
    // a (busy) holds doc; b (idle, last) holds nothing → a.
    expect(p.route(prompt(1, 'doc', 8), [view('a', { running: 5 }), view('b')], noTies)).toBe('a');
    expect(p.route(prompt(2, 'new', 8), [view('a', { running: 5 }), view('b')], noTies)).toBe('b');
    expect(p.stats?.()).toEqual({ matched: 1, fallbacks: 1 });
  });

  it('a match of exactly minMatchTokens is enough', () => {
    // chunk 16 tokens = 1 block; 8 blocks = 128 tokens, not below 128 → a, though busier.
    const p = make({ chunkTokens: 16, minMatchTokens: 128 });
    p.onRouted?.(prompt(0, 'doc', 8), 'a');
    expect(p.route(prompt(1, 'doc', 8), [view('a', { running: 5 }), view('b')], noTies)).toBe('a');
  });

  it('matches whole chunks only (32 tokens = 2 blocks by default)', () => {
    // The new prompt shares 3 blocks with doc: with 2-block chunks only the first chunk
    // (2 blocks, 32 tokens) matches, below minMatchTokens 48 → least loaded b.
    // (Per block, 3 blocks = 48 tokens would be enough for a.)
    const p = make({ minMatchTokens: 48 });
    p.onRouted?.(prompt(0, 'doc', 8), 'a');
    expect(p.route(prompt(1, 'doc', 3, 5), [view('a', { running: 5 }), view('b')], noTies)).toBe('b');
    // Sharing 4 blocks (2 chunks, 64 tokens) is enough.
    expect(p.route(prompt(2, 'doc', 4, 4), [view('a', { running: 5 }), view('b')], noTies)).toBe('a');
  });

  it('breaks ties among equal matches with the rng', () => {
    const p = make();
    p.onRouted?.(prompt(0, 'doc', 8), 'a');
    p.onRouted?.(prompt(0, 'doc', 8), 'b');
    // int(2) = 1 ≠ 0 keeps the first, a.
    expect(p.route(prompt(1, 'doc', 8), [view('a'), view('b')], keepFirst)).toBe('a');
  });

  it('forgets the trie of an instance that went down', () => {
    const p = make();
    p.onRouted?.(prompt(0, 'doc', 8), 'a');
    p.onInstanceDown?.('a');
    expect(p.route(prompt(1, 'doc', 8), [view('a', { running: 5 }), view('b')], noTies)).toBe('b');
  });
});
