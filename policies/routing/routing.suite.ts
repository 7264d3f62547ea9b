import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { hashString } from '../kv/hash.js';
import type { InstanceView, RouteRequest, RoutingPolicy } from '../types.js';

/** Options of the routing conformance suite; every skip must say why. */
export interface RoutingSuiteOptions {
  make(): RoutingPolicy;
  skip?: Partial<Record<'determinism' | 'spreads', { reason: string }>>;
}

/** An instance view for tests. */
export function view(id: string, over: Partial<InstanceView> = {}): InstanceView {
  return {
    id, healthy: true, running: 0, waiting: 0, kvBlocksUsed: 0, kvBlocksTotal: 1000,
    inflightPrefillTokens: 0, inflightDecodeTokens: 0, ...over,
  };
}

/** A route request for tests; `prefix` names shared prompt content. */
export function request(i: number, over: Partial<RouteRequest> = {}, prefix = 'p'): RouteRequest {
  const blocks = Array.from({ length: 8 }, (_, b) => hashString(`${prefix}/${b < 4 ? 'shared' : i}/${b}`));
  return { id: `r${i}`, promptBlocks: blocks, promptTokens: 128, maxTokens: 64, nowUs: i * 1000, ...over };
}

function routeAll(policy: RoutingPolicy, views: InstanceView[], n: number, seed = 1): string[] {
  const rng = new SeededRng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const req = request(i, { workflowId: `wf${i % 5}`, sessionKey: `u${i % 3}` }, `p${i % 4}`);
    const d = policy.route(req, views, rng);
    const id = typeof d === 'string' ? d : `reject:${d.reject}`;
    if (typeof d === 'string') policy.onRouted?.(req, d);
    out.push(id);
  }
  return out;
}

/** The conformance suite every routing policy runs (Hono-style). */
export function runRoutingSuite(name: string, opts: RoutingSuiteOptions): void {
  describe(`routing conformance: ${name}`, () => {
    it('returns a healthy instance id from the list', () => {
      const views = [view('a'), view('b', { running: 3 }), view('c', { waiting: 2 })];
      for (const id of routeAll(opts.make(), views, 50)) expect(['a', 'b', 'c']).toContain(id);
    });

    it('never routes to an unhealthy instance', () => {
      const views = [view('a', { healthy: false }), view('b'), view('c', { healthy: false })];
      for (const id of routeAll(opts.make(), views, 50)) expect(id).toBe('b');
    });

    it('rejects with a reason when no instance is healthy', () => {
      const views = [view('a', { healthy: false }), view('b', { healthy: false })];
      const d = opts.make().route(request(0), views, new SeededRng(1));
      expect(typeof d).toBe('object');
      expect((d as { reject: string }).reject).toMatch(/\w/);
      expect(opts.make().route(request(0), [], new SeededRng(1))).toHaveProperty('reject');
    });

    it.skipIf(opts.skip?.determinism)('is deterministic for a seed', () => {
      const views = [view('a'), view('b'), view('c'), view('d')];
      expect(routeAll(opts.make(), views, 100, 7)).toEqual(routeAll(opts.make(), views, 100, 7));
    });

    it.skipIf(opts.skip?.spreads)('uses more than one instance when all are idle and equal', () => {
      const views = [view('a'), view('b'), view('c')];
      expect(new Set(routeAll(opts.make(), views, 30)).size).toBeGreaterThan(1);
    });
  });
}
