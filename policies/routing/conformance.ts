import { ensure, ensureSame, type ConformanceCheck } from '../conformance.js';
import { SeededRng } from '../rng.js';
import { hashString } from '../kv/hash.js';
import type { InstanceView, RouteRequest, RoutingPolicy } from '../types.js';

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

/** The checks every routing policy passes (routing.suite.ts, `agentbench check-policy`). */
export const ROUTING_CHECKS: readonly ConformanceCheck<RoutingPolicy, 'determinism' | 'spreads'>[] = [
  {
    title: 'returns a healthy instance id from the list',
    run(make) {
      const views = [view('a'), view('b', { running: 3 }), view('c', { waiting: 2 })];
      for (const id of routeAll(make(), views, 50)) ensure(['a', 'b', 'c'].includes(id), `routed to '${id}', expected one of a, b, c`);
    },
  },
  {
    title: 'never routes to an unhealthy instance',
    run(make) {
      const views = [view('a', { healthy: false }), view('b'), view('c', { healthy: false })];
      for (const id of routeAll(make(), views, 50)) ensure(id === 'b', `routed to '${id}' while only b is healthy`);
    },
  },
  {
    title: 'rejects with a reason when no instance is healthy',
    run(make) {
      const views = [view('a', { healthy: false }), view('b', { healthy: false })];
      const d = make().route(request(0), views, new SeededRng(1));
      ensure(typeof d === 'object' && /\w/.test(d.reject), `expected { reject: <reason> } with no healthy instance, found ${JSON.stringify(d)}`);
      const none = make().route(request(0), [], new SeededRng(1));
      ensure(typeof none === 'object' && 'reject' in none, `expected { reject: <reason> } with no instance at all, found ${JSON.stringify(none)}`);
    },
  },
  {
    title: 'is deterministic for a seed',
    skippable: 'determinism',
    run(make) {
      const views = [view('a'), view('b'), view('c'), view('d')];
      ensureSame(routeAll(make(), views, 100, 7), routeAll(make(), views, 100, 7), 'routing decisions');
    },
  },
  {
    title: 'uses more than one instance when all are idle and equal',
    skippable: 'spreads',
    run(make) {
      const views = [view('a'), view('b'), view('c')];
      const used = new Set(routeAll(make(), views, 30));
      ensure(used.size > 1, `30 requests to three idle instances all went to ${[...used].join(', ')}`);
    },
  },
];
