import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { hashString } from '../kv/hash.js';
import { instantiate } from '../registry.js';
import type { InstanceView, RouteRequest, RoutingPolicy } from '../types.js';
import { HashRing } from './hash-ring.js';
import { PrefixIndex } from './prefix-index.js';
import { ROUTING_POLICIES } from './registry.js';
import { request, view } from './routing.suite.js';

const make = (kind: string, options: Record<string, unknown> = {}): RoutingPolicy =>
  instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind, options }, { blockSize: 16 }, 'routing policy');

/** Route and tell the policy, as the backend does. */
function send(p: RoutingPolicy, req: RouteRequest, views: InstanceView[], rng = new SeededRng(1)): string {
  const d = p.route(req, views, rng);
  if (typeof d !== 'string') throw new Error(d.reject);
  p.onRouted?.(req, d);
  return d;
}

/** A request whose `blocks` prompt blocks are all named by `doc` (shared with any request of the same doc). */
function docRequest(i: number, doc: string, blocks: number, over: Partial<RouteRequest> = {}): RouteRequest {
  return {
    id: `r${i}`, promptBlocks: Array.from({ length: blocks }, (_, b) => hashString(`${doc}/${b}`)),
    promptTokens: blocks * 16, maxTokens: 64, nowUs: i * 1000, ...over,
  };
}

/** A view whose engine holds the first `n` blocks of every prompt (exact cache state, as in sim). */
const holding = (n: number) => (blocks: readonly number[]) => Math.min(n, blocks.length);

describe('random', () => {
  it('spreads over the healthy instances only', () => {
    const p = make('random');
    const rng = new SeededRng(3);
    const views = [view('a'), view('b', { healthy: false }), view('c'), view('d')];
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const id = p.route(request(i), views, rng) as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['a', 'c', 'd']);
    for (const c of counts.values()) expect(c).toBeGreaterThan(70);
  });
});

describe('vllm-dp', () => {
  it('scores 4 × waiting + running (a queued request weighs four running ones)', () => {
    const p = make('vllm-dp');
    // least-loaded would pick b (1 < 3); vLLM's score is a: 3, b: 4.
    expect(p.route(request(0), [view('a', { running: 3 }), view('b', { waiting: 1 })], new SeededRng(1))).toBe('a');
    expect(p.route(request(0), [view('a', { running: 5 }), view('b', { waiting: 1 })], new SeededRng(1))).toBe('b');
  });
});

describe('power-of-two', () => {
  it('never picks the strictly most loaded instance and always the lighter of two', () => {
    const p = make('power-of-two');
    const rng = new SeededRng(5);
    const three = [view('a', { running: 1 }), view('b', { running: 2 }), view('c', { running: 9 })];
    const two = [view('a', { running: 4 }), view('b', { running: 2 })];
    for (let i = 0; i < 100; i++) {
      expect(p.route(request(i), three, rng)).not.toBe('c');
      expect(p.route(request(i), two, rng)).toBe('b');
    }
  });
});

describe('session', () => {
  it('pins a session key to one instance, moves only the lost instance\'s sessions, and falls back to least loaded', () => {
    const p = make('session');
    const rng = new SeededRng(1);
    const views = [view('a'), view('b'), view('c'), view('d')];
    const keys = Array.from({ length: 200 }, (_, k) => `user-${k}`);
    const before = keys.map((k) => p.route(request(0, { sessionKey: k }), views, rng));
    expect(keys.map((k) => p.route(request(1, { sessionKey: k }), views, rng))).toEqual(before);
    expect(new Set(before).size).toBe(4);
    const downB = views.map((v) => (v.id === 'b' ? view('b', { healthy: false }) : v));
    const after = keys.map((k) => p.route(request(2, { sessionKey: k }), downB, rng));
    keys.forEach((_, k) => {
      if (before[k] !== 'b') expect(after[k]).toBe(before[k]);
      else expect(after[k]).not.toBe('b');
    });
    expect(p.route(request(3), [view('a', { running: 2 }), view('b'), view('c', { waiting: 1 })], rng)).toBe('b');
  });

  it('HashRing: the same nodes in any order give the same ring', () => {
    const r1 = new HashRing(['x', 'y', 'z']);
    const r2 = new HashRing(['z', 'x', 'y']);
    for (let k = 0; k < 100; k++) expect(r1.get(`k${k}`)).toBe(r2.get(`k${k}`));
    expect(new HashRing([]).get('k')).toBeUndefined();
  });
});

describe('PrefixIndex', () => {
  it('matches the longest remembered prefix, drops least recently used blocks at capacity and forgets after the TTL', () => {
    const idx = new PrefixIndex(4, 1000);
    const doc = Array.from({ length: 6 }, (_, b) => hashString(`d/${b}`));
    idx.insert('a', doc.slice(0, 3), 0);
    expect(idx.match('a', doc, 10)).toBe(3);
    expect(idx.match('b', doc, 10)).toBe(0);
    idx.insert('a', [hashString('other/0'), hashString('other/1')], 20); // 5 > 4: oldest (doc/0) goes
    expect(idx.size('a')).toBe(4);
    expect(idx.match('a', doc, 30)).toBe(0); // the chain is broken at its first block
    idx.insert('a', doc.slice(0, 2), 100); // doc/0 back in: the oldest entry left (doc/2) goes
    expect(idx.match('a', doc, 1099)).toBe(2);
    expect(idx.match('a', doc, 1100)).toBe(0); // 1000 µs after their insertion the entries are past the TTL
    idx.insert('a', doc, 2000, 2); // stride 2: one entry per 2-block chunk (blocks 1, 3, 5)
    expect(idx.match('a', doc, 2000, 2)).toBe(6);
    idx.removeInstance('a');
    expect(idx.size('a')).toBe(0);
  });
});

describe('prefix-aware', () => {
  it('follows the longest routed prefix even to a busier instance, else least loaded', () => {
    const p = make('prefix-aware');
    const rng = new SeededRng(1);
    const idle = [view('a'), view('b'), view('c')];
    const first = send(p, docRequest(0, 'doc', 8), idle, rng);
    const busy = idle.map((v) => (v.id === first ? view(v.id, { running: 10 }) : v));
    expect(send(p, docRequest(1, 'doc', 8), busy, rng)).toBe(first);
    // Nothing in common: least loaded (not the busy one).
    expect(send(p, docRequest(2, 'fresh', 8), busy, rng)).not.toBe(first);
  });

  it('falls back below minMatchTokens', () => {
    const p = make('prefix-aware', { minMatchTokens: 200, chunkTokens: 16 });
    const rng = new SeededRng(1);
    const idle = [view('a'), view('b')];
    const first = send(p, docRequest(0, 'doc', 8), idle, rng); // 128 tokens < 200
    const busy = idle.map((v) => (v.id === first ? view(v.id, { running: 10 }) : v));
    expect(send(p, docRequest(1, 'doc', 8), busy, rng)).not.toBe(first);
    expect(p.stats?.()).toEqual({ matched: 0, fallbacks: 2 });
  });
});

describe('kv-aware', () => {
  it('reads the exact cache state where the view has it and takes the longest match', () => {
    const p = make('kv-aware');
    const views = [view('a', { cachedPrefixBlocks: holding(2) }), view('b', { running: 50, cachedPrefixBlocks: holding(6) }), view('c', { cachedPrefixBlocks: holding(0) })];
    expect(p.route(docRequest(0, 'd', 8), views, new SeededRng(1))).toBe('b');
  });

  it('falls back when more than maxUnmatchedTokens stay uncached: to the session hash, or the least loaded', () => {
    const views = [view('a', { running: 3, cachedPrefixBlocks: holding(1) }), view('b', { cachedPrefixBlocks: holding(0) })];
    const req = docRequest(0, 'd', 8, { sessionKey: 's' }); // 128 tokens, 16 cached: 112 unmatched
    expect(make('kv-aware', { maxUnmatchedTokens: 112 }).route(req, views, new SeededRng(1))).toBe('a');
    expect(make('kv-aware', { maxUnmatchedTokens: 111, fallback: 'least-loaded' }).route(req, views, new SeededRng(1))).toBe('b');
    const ring = new HashRing(['a', 'b']).get('s');
    expect(make('kv-aware', { maxUnmatchedTokens: 111 }).route(req, views, new SeededRng(1))).toBe(ring);
  });

  it('without exact state, uses its LRU index of routed blocks', () => {
    const p = make('kv-aware', { maxUnmatchedTokens: 0 });
    const rng = new SeededRng(1);
    const views = [view('a'), view('b'), view('c')];
    const first = send(p, docRequest(0, 'doc', 8), views, rng); // no match: falls back
    expect(send(p, docRequest(1, 'doc', 8), views, rng)).toBe(first);
    expect(p.stats?.()).toEqual({ matched: 1, fallbacks: 1 });
  });
});

describe('cache-aware (SGLang router)', () => {
  const loads = (a: number, b: number) => [view('a', { running: a }), view('b', { running: b })];

  it('switches to least loaded exactly when max − min > 64 and max > 1.5 × min', () => {
    const at = (a: number, b: number): string => {
      const p = make('cache-aware');
      const rng = new SeededRng(1);
      // Teach the policy that 'a' holds the prompt (routed there while idle).
      send(p, docRequest(0, 'doc', 8), [view('a'), view('b', { healthy: false })], rng);
      return send(p, docRequest(1, 'doc', 8), loads(a, b), rng);
    };
    expect(at(64, 0)).toBe('a'); // diff 64 is not > 64: balanced, cache match wins
    expect(at(65, 0)).toBe('b'); // diff 65 > 64 and 65 > 0: imbalanced
    expect(at(250, 185)).toBe('a'); // diff 65 > 64 but 250 <= 1.5 × 185 = 277.5: balanced
    expect(at(300, 199)).toBe('b'); // diff 101 and 300 > 298.5: imbalanced
    expect(at(300, 200)).toBe('a'); // 300 is not > 1.5 × 200
  });

  it('routes by match only above cacheThreshold, else to the smallest tree', () => {
    const p = make('cache-aware', { cacheThreshold: 0.5 });
    const rng = new SeededRng(1);
    const two = [view('a'), view('b')];
    const onlyA = [view('a'), view('b', { healthy: false })];
    send(p, docRequest(0, 'big', 10), onlyA, rng); // a's tree: 10 blocks
    // 4 of 8 blocks match on a (rate 0.5, not > 0.5): the smaller tree (b) wins.
    const half = { ...docRequest(1, 'big', 4), promptBlocks: [...docRequest(1, 'big', 4).promptBlocks, ...docRequest(1, 'x', 4).promptBlocks] };
    expect(p.route(half, two, rng)).toBe('b');
    // 5 of 8 (0.625 > 0.5): the match wins.
    const more = { ...half, promptBlocks: [...docRequest(2, 'big', 5).promptBlocks, ...docRequest(2, 'x', 3).promptBlocks] };
    expect(p.route(more, two, rng)).toBe('a');
    expect(p.stats?.()).toMatchObject({ cacheHits: 1, cacheMisses: 2, imbalancedDecisions: 0 });
  });

  it('cuts trees back to maxTreeSizeTokens once per eviction interval', () => {
    const p = make('cache-aware', { maxTreeSizeTokens: 64, evictionIntervalS: 1 }); // 4 blocks
    const rng = new SeededRng(1);
    const onlyA = [view('a'), view('b', { healthy: false })];
    send(p, docRequest(0, 'doc', 8, { nowUs: 0 }), onlyA, rng);
    // Before the interval the whole prompt still matches on a (rate 1 → a even though b is idle and empty).
    expect(p.route(docRequest(1, 'doc', 8, { nowUs: 999_999 }), [view('a'), view('b')], rng)).toBe('a');
    // After it, a keeps only its 4 most recent blocks (the tail), so the prefix no longer matches.
    expect(p.route(docRequest(2, 'doc', 8, { nowUs: 1_000_000 }), [view('a'), view('b')], rng)).toBe('b');
  });
});

describe('scored (llm-d EPP)', () => {
  it('adds weighted scorers: prefix 3, queue 2, kv 2', () => {
    const p = make('scored', { prefixSource: 'precise' });
    const rng = new SeededRng(1);
    // a: full prefix hit (3), longest queue (0), half KV free (1)  = 4
    // b: no hit (0), shortest queue (2), all KV free (2)           = 4 + nothing → tie broken at random
    // c: no hit, middle queue (1), 90% KV free (1.8)               = 2.8
    const views = [
      view('a', { waiting: 4, kvBlocksUsed: 500, cachedPrefixBlocks: holding(8) }),
      view('b', { waiting: 0, kvBlocksUsed: 0, cachedPrefixBlocks: holding(0) }),
      view('c', { waiting: 2, kvBlocksUsed: 100, cachedPrefixBlocks: holding(0) }),
    ];
    const picks = new Set<string>();
    for (let i = 0; i < 40; i++) picks.add(p.route(docRequest(i, 'd', 8), views, rng) as string);
    expect([...picks].sort()).toEqual(['a', 'b']);
    // 100 fewer KV blocks used on a: 3 + 0 + 2 × 0.6 = 4.2 > 4.
    const tipped = [view('a', { waiting: 4, kvBlocksUsed: 400, cachedPrefixBlocks: holding(8) }), ...views.slice(1)];
    for (let i = 0; i < 10; i++) expect(p.route(docRequest(0, 'd', 8), tipped, rng)).toBe('a');
  });

  it('session affinity scorer prefers the instance that served the session last', () => {
    const p = make('scored', { prefixWeight: 0, kvUtilizationWeight: 0, sessionAffinityWeight: 5 });
    const rng = new SeededRng(1);
    const views = [view('a', { waiting: 1 }), view('b', { waiting: 0 })];
    p.onRouted?.(docRequest(0, 'd', 2, { sessionKey: 's' }), 'a');
    expect(p.route(docRequest(1, 'd', 2, { sessionKey: 's' }), views, rng)).toBe('a');
    expect(p.route(docRequest(2, 'd', 2, { sessionKey: 't' }), views, rng)).toBe('b');
  });
});

describe('cost (Dynamo KV router)', () => {
  it('minimises overlapWeight × prefill blocks + decode blocks', () => {
    const rng = new SeededRng(1);
    // 8-block prompt. a: 6 cached, 64 decoding tokens (4 blocks) → 1 × 2 + (4 + 8) = 14
    //                 b: nothing cached, idle                   → 1 × 8 + (0 + 8) = 16
    const views = [view('a', { inflightDecodeTokens: 64, cachedPrefixBlocks: holding(6) }), view('b', { cachedPrefixBlocks: holding(0) })];
    expect(make('cost').route(docRequest(0, 'd', 8), views, rng)).toBe('a');
    // With the overlap weighted 0.2: a = 0.4 + 12 = 12.4, b = 1.6 + 8 = 9.6.
    expect(make('cost', { overlapScoreWeight: 0.2 }).route(docRequest(0, 'd', 8), views, rng)).toBe('b');
    // Queued prefill counts too: 48 tokens waiting on a → a = 1 × (3 + 2) + 12 = 17 > 16.
    const queued = [view('a', { inflightPrefillTokens: 48, inflightDecodeTokens: 64, cachedPrefixBlocks: holding(6) }), views[1]!];
    expect(make('cost').route(docRequest(0, 'd', 8), queued, rng)).toBe('b');
  });

  it('samples with the normalised softmax when temperature > 0', () => {
    const p = make('cost', { temperature: 0.5 });
    const rng = new SeededRng(9);
    const views = [view('a', { cachedPrefixBlocks: holding(8) }), view('b', { cachedPrefixBlocks: holding(0) })];
    // logits a = 0 + 8, b = 8 + 8: normalised gap 1 → P(b) = e^-2 / (1 + e^-2) ≈ 0.119.
    let b = 0;
    for (let i = 0; i < 2000; i++) if (p.route(docRequest(i, 'd', 8), views, rng) === 'b') b++;
    expect(b / 2000).toBeGreaterThan(0.09);
    expect(b / 2000).toBeLessThan(0.15);
  });
});

describe('workflow-aware', () => {
  const wfReq = (i: number, wf: string | undefined, agent: string, load = 'doc'): RouteRequest =>
    docRequest(i, `${wf}/${load}`, 8, { ...(wf !== undefined ? { workflowId: wf } : {}), agentId: agent });

  it('keeps a workflow on its instance until the slack is exceeded, then migrates once', () => {
    const p = make('workflow-aware', { slackRequests: 8, slackFactor: 1.5 });
    const rng = new SeededRng(1);
    const first = send(p, wfReq(0, 'w1', 'planner'), [view('a'), view('b', { running: 1 })], rng);
    expect(first).toBe('a'); // nothing cached anywhere: least loaded
    // 'a' gets busier but stays within the slack: load − min = 8 is not > 8.
    expect(send(p, wfReq(1, 'w1', 'worker-0'), [view('a', { running: 8 }), view('b')], rng)).toBe('a');
    // 12 > 1.5 × 6 but 12 − 6 = 6 is not > 8: still within the slack.
    expect(send(p, wfReq(2, 'w1', 'worker-1'), [view('a', { running: 12 }), view('b', { running: 6 })], rng)).toBe('a');
    // 9 − 0 > 8 and 9 > 0: past the slack, migrate to b and stay there.
    expect(send(p, wfReq(3, 'w1', 'planner'), [view('a', { running: 9 }), view('b')], rng)).toBe('b');
    expect(send(p, wfReq(4, 'w1', 'worker-2'), [view('a'), view('b', { running: 3 })], rng)).toBe('b');
    expect(p.stats?.()).toMatchObject({ newWorkflows: 1, affinityHits: 3, migrations: 1 });
  });

  it('places a new workflow by KV match among instances within the slack', () => {
    const p = make('workflow-aware', { maxUnmatchedTokens: 0 });
    const rng = new SeededRng(1);
    const views = [view('a', { cachedPrefixBlocks: holding(0) }), view('b', { running: 3, cachedPrefixBlocks: holding(8) }), view('c', { running: 30, cachedPrefixBlocks: holding(8) })];
    // b holds the prompt and is within the slack; c holds it too but is past the slack.
    expect(send(p, wfReq(0, 'w2', 'x'), views, rng)).toBe('b');
  });

  it('an agent sticks to its own instance even after its workflow moved', () => {
    const p = make('workflow-aware');
    const rng = new SeededRng(1);
    p.onRouted?.(wfReq(0, 'w', 'alice'), 'a');
    p.onRouted?.(wfReq(1, 'w', 'bob'), 'b'); // the workflow's last instance is now b
    const views = [view('a'), view('b')];
    expect(p.route(wfReq(2, 'w', 'alice'), views, rng)).toBe('a');
    expect(p.route(wfReq(3, 'w', 'carol'), views, rng)).toBe('b');
  });

  it('a failed call moves the workflow away from the instance, even before it is known down', () => {
    const p = make('workflow-aware');
    const rng = new SeededRng(1);
    const views = [view('a'), view('b', { running: 2 })];
    const r0 = wfReq(0, 'w', 'alice');
    expect(send(p, r0, views, rng)).toBe('a');
    // The call fails on 'a' (crashed, but its health check has not noticed: it still looks idle).
    p.onFinished?.(r0, 'a', false);
    const retry = wfReq(1, 'w', 'alice');
    expect(send(p, retry, views, rng)).toBe('b');
    expect(p.stats?.()).toMatchObject({ migrations: 1 });
    // The workflow now sticks to 'b'; a success on 'b' does not move it.
    p.onFinished?.(retry, 'b', true);
    expect(send(p, wfReq(2, 'w', 'bob'), views, rng)).toBe('b');
    // An agent still pinned to 'a' (a sibling routed there before the failure) moves too.
    p.onRouted?.(wfReq(5, 'w', 'carol'), 'a');
    expect(send(p, wfReq(6, 'w', 'carol'), views, rng)).toBe('b');
    // The failed instance looking idle does not make the others look past the slack.
    const busy = [view('a'), view('b', { running: 30 }), view('c', { running: 31 })];
    const r7 = wfReq(7, 'w2', 'x');
    expect(send(p, r7, [view('a'), view('b', { running: 30 }), view('c', { running: 40 })], rng)).toBe('a');
    p.onFinished?.(r7, 'a', false);
    expect(send(p, wfReq(8, 'w2', 'x'), busy, rng)).toBe('b');
    // With only the failed instance healthy, it is still used rather than rejecting.
    p.onFinished?.(wfReq(3, 'w', 'bob'), 'b', false);
    expect(send(p, wfReq(4, 'w', 'bob'), [view('a', { healthy: false }), view('b')], rng)).toBe('b');
  });

  it('forgets workflows after the TTL and beyond maxWorkflows; no workflow id goes to kv-aware', () => {
    const p = make('workflow-aware', { workflowTtlS: 1, maxWorkflows: 2 });
    const rng = new SeededRng(1);
    const views = [view('a'), view('b')];
    p.onRouted?.(wfReq(0, 'w1', 'x'), 'a');
    p.onRouted?.(wfReq(0, 'w2', 'x'), 'a');
    p.onRouted?.(wfReq(0, 'w3', 'x'), 'a'); // w1 dropped
    expect(p.stats?.()).toMatchObject({ evictedWorkflows: 1, tracked: 2 });
    p.route({ ...wfReq(0, 'w2', 'x'), nowUs: 2_000_000 }, views, rng); // 2 s later: expired
    p.route(wfReq(0, undefined, 'x'), views, rng);
    expect(p.stats?.()).toMatchObject({ expiredWorkflows: 1, newWorkflows: 1, withoutWorkflowId: 1 });
  });
});
