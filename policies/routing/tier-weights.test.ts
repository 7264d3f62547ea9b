import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { instantiate } from '../registry.js';
import type { InstanceView, RoutingPolicy, TierOverlap } from '../types.js';
import { ROUTING_POLICIES } from './registry.js';
import { request, view } from './routing.suite.js';

/** A view whose prompt prefix sits `device` blocks on the GPU, then `host` in CPU, then `remote` in the shared tier. */
function tiered(id: string, t: TierOverlap, over: Partial<InstanceView> = {}): InstanceView {
  return view(id, {
    ...over,
    cachedPrefixBlocks: () => t.device,
    cachedPrefixTiers: (_b, out) => {
      out.device = t.device;
      out.host = t.host;
      out.remote = t.remote;
    },
  });
}

const make = (kind: string, options: Record<string, unknown> = {}) =>
  instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind, options }, { blockSize: 16 }, 'routing policy');

describe('tier-aware overlap (Dynamo: device 1, host 0.75, disk/remote 0.25)', () => {
  const req = request(0, { promptTokens: 200 });
  const a = tiered('a', { device: 4, host: 0, remote: 0 }); // 4
  const b = tiered('b', { device: 1, host: 6, remote: 0 }); // 1 + 0.75 × 6 = 5.5
  const c = tiered('c', { device: 0, host: 0, remote: 12 }); // 0.25 × 12 = 3

  it('kv-aware prefers the most weighted overlap, counting CPU blocks at 0.75', () => {
    expect(make('kv-aware').route(req, [a, b, c], new SeededRng(1))).toBe('b');
  });

  it('with the host weight lowered, GPU blocks win', () => {
    expect(make('kv-aware', { hostHitWeight: 0.25 }).route(req, [a, b, c], new SeededRng(1))).toBe('a'); // b: 2.5
  });

  it('remote blocks count at 0.25, and at 1 they would win', () => {
    expect(make('kv-aware', { remoteHitWeight: 1 }).route(req, [a, b, c], new SeededRng(1))).toBe('c'); // 12
  });

  it('cost (Dynamo) credits the weighted overlap against prefill blocks', () => {
    const p = make('cost');
    // Prefill blocks = (200 − 16 × overlap) / 16; decode blocks equal: b has the least to prefill.
    expect(p.route(req, [a, b, c], new SeededRng(1))).toBe('b');
    expect(make('cost', { hostHitWeight: 0 }).route(req, [a, b, c], new SeededRng(1))).toBe('a');
  });
});
