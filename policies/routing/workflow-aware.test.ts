import { describe, expect, it } from 'vitest';
import { hashString } from '../kv/hash.js';
import type { RouteRequest } from '../types.js';
import { view } from './routing.suite.js';
import { noDraws, routingPolicy, takeLast } from './testing.js';
import { workflowAwareFactory, type WorkflowAwarePolicy } from './workflow-aware.js';

const make = (options: Record<string, unknown> = {}): WorkflowAwarePolicy => routingPolicy<WorkflowAwarePolicy>('workflow-aware', options);

const holding = (n: number) => (blocks: readonly number[]) => Math.min(n, blocks.length);

/** An 8-block (128-token) call of workflow `wf` whose blocks are named by `doc`. */
function call(i: number, wf: string | undefined, over: Partial<RouteRequest> = {}, doc = 'doc'): RouteRequest {
  return {
    id: `r${i}`, promptBlocks: Array.from({ length: 8 }, (_, b) => hashString(`${doc}/${b}`)),
    promptTokens: 128, maxTokens: 64, nowUs: i * 1000, ...(wf !== undefined ? { workflowId: wf } : {}), ...over,
  };
}

const NO_HEALTHY = { reject: 'no healthy instance' };

describe('workflow-aware: registry entry', () => {
  it('is named workflow-aware and states its design', () => {
    expect(make().name).toBe('workflow-aware');
    expect(workflowAwareFactory.summary).toContain('workflow/agent affinity');
  });
});

describe('workflow-aware: slack', () => {
  it('is exceeded only past both slackRequests above the least loaded and slackFactor times it', () => {
    const p = make({ slackRequests: 8, slackFactor: 1.5 });
    // 30 − 20 = 10 > 8, but 30 > 1.5 × 20 = 30 is false → within.
    expect(p.withinSlack(30, 20)).toBe(true);
    // 31 − 20 = 11 > 8 and 31 > 30 → past.
    expect(p.withinSlack(31, 20)).toBe(false);
    // 26 − 18 = 8 is not > 8 → within.
    expect(p.withinSlack(26, 18)).toBe(true);
  });
});

describe('workflow-aware: placement of a new workflow', () => {
  it('takes the longest match that is long enough, else the least loaded; ties at random', () => {
    // maxUnmatchedTokens 64: a match counts from 128 − 64 = 64 tokens = 4 blocks.
    const p = make({ maxUnmatchedTokens: 64 });
    const four = [view('a', { running: 2, cachedPrefixBlocks: holding(4) }), view('b', { cachedPrefixBlocks: holding(0) })];
    expect(p.route(call(0, 'w1'), four, noDraws)).toBe('a');
    const three = [view('a', { running: 2, cachedPrefixBlocks: holding(3) }), view('b', { cachedPrefixBlocks: holding(0) })];
    expect(p.route(call(1, 'w2'), three, noDraws)).toBe('b');
  });

  it('prefers a longer match over a lighter load, and a lighter load at equal match', () => {
    const p = make();
    expect(p.route(call(0, 'w1'), [view('a', { running: 2, cachedPrefixBlocks: holding(8) }), view('b', { cachedPrefixBlocks: holding(0) })], takeLast)).toBe('a');
    expect(p.route(call(1, 'w2'), [view('a', { running: 2 }), view('b')], takeLast)).toBe('b');
    // Equal load, longer match first: b is no tie (match 0 < 8), even with every draw taking the later one.
    expect(p.route(call(2, 'w3'), [view('a', { cachedPrefixBlocks: holding(8) }), view('b', { cachedPrefixBlocks: holding(0) })], takeLast)).toBe('a');
    // Same match, b busier: no tie.
    expect(p.route(call(3, 'w4'), [view('a'), view('b', { running: 5 })], takeLast)).toBe('a');
    // A real tie (both idle, nothing cached): int(2) = 0 takes b.
    expect(p.route(call(4, 'w5'), [view('a'), view('b')], takeLast)).toBe('b');
    expect(p.stats?.()).toMatchObject({ newWorkflows: 5 });
  });

  it('rejects when nothing is healthy and does not count a new workflow', () => {
    const p = make();
    expect(p.route(call(0, 'w'), [view('a', { healthy: false })], noDraws)).toEqual(NO_HEALTHY);
    expect(p.stats?.()).toMatchObject({ newWorkflows: 0 });
  });

  it('uses its routed-block index, and forgets an instance that went down', () => {
    // No exact state: b was sent the prompt (workflow w1), so w2's first call matches 8 blocks there.
    const p = make();
    const views = [view('a'), view('b', { running: 1 })];
    p.onRouted?.(call(0, 'w1'), 'b');
    expect(p.route(call(1, 'w2'), views, noDraws)).toBe('b');
    p.onInstanceDown?.('b');
    expect(p.route(call(2, 'w3'), views, noDraws)).toBe('a');
  });
});

describe('workflow-aware: affinity', () => {
  it('expires a workflow strictly after workflowTtlS since its last use', () => {
    const p = make({ workflowTtlS: 1 });
    const views = [view('a'), view('b')];
    p.onRouted?.(call(0, 'w', { nowUs: 500_000 }), 'b');
    // 600,000 − 500,000 = 0.1 s: kept.
    expect(p.route(call(0, 'w', { nowUs: 600_000 }), views, noDraws)).toBe('b');
    // Exactly 1 s after: still kept.
    expect(p.route(call(0, 'w', { nowUs: 1_500_000 }), views, noDraws)).toBe('b');
    expect(p.stats?.()).toMatchObject({ affinityHits: 2, expiredWorkflows: 0 });
  });

  it('moves off a sticky instance that is unhealthy or gone, to index 0 when that is best', () => {
    const p = make();
    p.onRouted?.(call(0, 'w1'), 'b');
    expect(p.route(call(1, 'w1'), [view('a', { running: 1 }), view('b', { healthy: false })], noDraws)).toBe('a');
    p.onRouted?.(call(2, 'w2', {}, 'other'), 'z');
    expect(p.route(call(3, 'w2', {}, 'other'), [view('a'), view('b', { running: 1 })], noDraws)).toBe('a');
    expect(p.stats?.()).toMatchObject({ migrations: 2, affinityHits: 0 });
    // The workflow's instances all down: rejected, not migrated.
    expect(p.route(call(4, 'w1'), [view('a', { healthy: false }), view('b', { healthy: false })], noDraws)).toEqual(NO_HEALTHY);
    expect(p.stats?.()).toMatchObject({ migrations: 2 });
  });

  it('after a failure, takes another instance even when the failed one is lighter', () => {
    const p = make();
    p.onRouted?.(call(0, 'w'), 'b');
    p.onFinished?.(call(0, 'w'), 'b', false);
    // a (index 0) is the only other instance: a, though b is idle.
    expect(p.route(call(1, 'w'), [view('a', { running: 2 }), view('b')], noDraws)).toBe('a');
  });

  it('ignores the failure of a call of an unknown workflow, and tracks only calls with a workflow id', () => {
    const p = make();
    p.onFinished?.(call(0, 'unknown'), 'a', false);
    p.onRouted?.(call(0, undefined), 'a');
    expect(p.stats?.()).toMatchObject({ tracked: 0 });
    // A new workflow is placed normally: least loaded a.
    expect(p.route(call(1, 'unknown'), [view('a'), view('b', { running: 1 })], noDraws)).toBe('a');
  });
});
