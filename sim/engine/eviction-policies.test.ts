import { describe, expect, it } from 'vitest';
import { instantiate } from '../../policies/registry.js';
import { KvCacheManager } from './kv-cache-manager.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import { admit, evictionRequest, runEvictionSuite } from './eviction-policies.suite.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';

const make = (kind: string, options: Record<string, unknown> = {}): EvictionPolicy =>
  instantiate<EvictionPolicy>(EVICTION_POLICIES, { kind, options }, { blockSize: 16 }, 'eviction policy');

for (const kind of Object.keys(EVICTION_POLICIES)) runEvictionSuite(kind, { make: () => make(kind) });

/** A manager with `n` blocks under `policy`. */
const manager = (policy: EvictionPolicy, n: number) =>
  new KvCacheManager({ numBlocks: n, blockSize: 16, enablePrefixCaching: true, maxModelLen: 4096 }, policy);

describe('workflow-aware eviction', () => {
  it('takes empty blocks, then orphans, then whole workflows, least recently used first', () => {
    const p = make('workflow-aware');
    const kv = manager(p, 40);
    // 152 tokens each = 10 blocks (9 full + 1 partial); 39 usable blocks.
    const old = evictionRequest('old', { wf: 'w-old', role: 'a', taskTokens: 40 });
    const orphan = evictionRequest('orphan', { role: 'b', taskTokens: 104 });
    const young = evictionRequest('young', { wf: 'w-young', role: 'c', taskTokens: 40 });
    for (const [r, t] of [[old, 0], [orphan, 1], [young, 2]] as const) admit(kv, r, t);
    const blocks = { old: [...old.blocks], orphan: [...orphan.blocks], young: [...young.blocks] };
    kv.free(young, 100); // recency is the last free or hit: young was last used before old
    kv.free(old, 200);
    kv.free(orphan, 300);
    // 39 − 30 = 9 never-used blocks, plus the 3 partial (uncached) tails: 12 empty blocks first.
    const order: number[] = [];
    for (let i = 0; i < 39; i++) order.push(p.popFree(400));
    const empty = order.slice(0, 12);
    expect(empty).toEqual(expect.arrayContaining([blocks.old[9]!, blocks.orphan[9]!, blocks.young[9]!]));
    expect(order.slice(12, 21).sort((a, b) => a - b)).toEqual(blocks.orphan.slice(0, 9).sort((a, b) => a - b));
    // young (freed at 100) is the least recently used workflow: all of it goes before old.
    expect(order.slice(21, 30).sort((a, b) => a - b)).toEqual(blocks.young.slice(0, 9).sort((a, b) => a - b));
    expect(order.slice(30).sort((a, b) => a - b)).toEqual(blocks.old.slice(0, 9).sort((a, b) => a - b));
    expect(p.stats?.()).toEqual({ emptyBlocks: 30 + 12, orphanBlocks: 9, workflowBlocks: 18, workflowsEvicted: 2, reservedTaken: 0 });
  });

  it('evicts a less important workflow (larger priority number) before a less recent one', () => {
    const p = make('workflow-aware', { priorityWeightMs: 1 }); // one priority step = 1 ms of age
    const kv = manager(p, 40);
    const vip = evictionRequest('vip', { wf: 'vip', role: 'a', priority: 0 });
    const bulk = evictionRequest('bulk', { wf: 'bulk', role: 'b', priority: 5 });
    admit(kv, vip, 0);
    admit(kv, bulk, 0);
    kv.free(vip, 1000);
    kv.free(bulk, 4000); // 3 ms more recent, but 5 priority steps (5 ms) less important
    const cached = (id: number) => !Number.isNaN(kv.pool.info.hash[id]!);
    let first = -1;
    for (let i = 0; i < 39 && first < 0; i++) {
      const b = p.popFree(5000);
      if (cached(b)) first = b;
    }
    expect(bulk.blocks.length).toBe(0); // freed
    expect(kv.pool.info.workflowId(first)).toBe('bulk');
  });

  it('reserves recently active workflows while others remain (protectActiveMs)', () => {
    const p = make('workflow-aware', { protectActiveMs: 50 });
    const kv = manager(p, 24);
    const a = evictionRequest('a', { wf: 'active', role: 'a' });
    const b = evictionRequest('b', { wf: 'idle', role: 'b' });
    admit(kv, b, 0);
    kv.free(b, 1000);
    admit(kv, a, 1000);
    kv.free(a, 90_000); // within 50 ms of the evictions below: reserved
    const picks: (string | undefined)[] = [];
    for (let i = 0; i < 23; i++) {
      const blk = p.popFree(100_000);
      if (!Number.isNaN(kv.pool.info.hash[blk]!)) picks.push(kv.pool.info.workflowId(blk));
    }
    expect(picks.indexOf('active')).toBeGreaterThan(picks.lastIndexOf('idle'));
    expect(p.stats?.()).toMatchObject({ reservedTaken: 1 });
  });
});

describe('steps-to-execution eviction (KVFlow)', () => {
  it('evicts blocks never used again, then the furthest next use, and keeps the nearest longest', () => {
    const p = make('steps-to-execution');
    const kv = manager(p, 40);
    const soon = evictionRequest('soon', { wf: 'w1', role: 'a', hints: { stepsToReuse: 1 } });
    const later = evictionRequest('later', { wf: 'w2', role: 'b', hints: { stepsToReuse: 4 } });
    const done = evictionRequest('done', { wf: 'w3', role: 'c', hints: {} }); // no next call: Infinity
    for (const r of [soon, later, done]) admit(kv, r, 0);
    const owner = new Map<number, string>();
    for (const r of [soon, later, done]) for (const b of r.blocks.slice(0, 9)) owner.set(b, r.id);
    // Freed nearest-first, so LRU would evict 'soon' first.
    kv.free(soon, 10);
    kv.free(later, 20);
    kv.free(done, 30);
    const order: string[] = [];
    for (let i = 0; i < 39; i++) {
      const o = owner.get(p.popFree(40));
      if (o && order[order.length - 1] !== o) order.push(o);
    }
    expect(order).toEqual(['done', 'later', 'soon']);
  });

  it('a block shared while in use keeps the nearer next use', () => {
    const p = make('steps-to-execution');
    const kv = manager(p, 40);
    const far = evictionRequest('far', { wf: 'w', role: 'shared', hints: {} });
    const farTail = () => far.blocks[7]!;
    const near = evictionRequest('near', { wf: 'w', role: 'shared', hints: { stepsToReuse: 1 } });
    admit(kv, near, 0);
    admit(kv, far, 1); // hits near's 7 shared blocks (system + context) while near holds them
    const shared = far.blocks.slice(0, 7);
    expect(shared).toEqual(near.blocks.slice(0, 7));
    const tail = farTail();
    kv.free(near, 2);
    kv.free(far, 3);
    for (const b of shared) expect(kv.pool.info.stepsToReuse[b]).toBe(1);
    expect(kv.pool.info.stepsToReuse[tail]).toBe(Infinity); // far's own task: never used again
  });
});

describe('tool-ttl eviction (Continuum)', () => {
  it('pins the blocks of a call followed by a tool wait until the TTL, then releases them to LRU', () => {
    const p = make('tool-ttl', { ttlFactor: 2 });
    const kv = manager(p, 40);
    const tool = evictionRequest('tool', { wf: 'w1', role: 'a', hints: { toolWaitUs: 1000 } }); // TTL 2000 µs
    const plain = evictionRequest('plain', { wf: 'w2', role: 'b' });
    admit(kv, tool, 0);
    admit(kv, plain, 0);
    const toolBlocks = new Set(tool.blocks.slice(0, 9));
    kv.free(tool, 100); // pinned until 2100 although freed first
    kv.free(plain, 200);
    expect(p.stats?.()).toMatchObject({ pinned: 9 });
    // Before expiry the 30 unpinned blocks (19 empty + plain's 10) go first.
    for (let i = 0; i < 30; i++) expect(toolBlocks.has(p.popFree(1000))).toBe(false);
    // Nothing else left: a pinned block is taken as a last resort, earliest expiry first.
    expect(toolBlocks.has(p.popFree(1000))).toBe(true);
    expect(p.stats?.()).toMatchObject({ forcedEvictions: 1, expired: 0 });
    // After the TTL the rest is ordinary LRU.
    expect(toolBlocks.has(p.popFree(2100))).toBe(true);
    expect(p.stats?.()).toMatchObject({ expired: 8, forcedEvictions: 1 });
  });

  it('the next turn within the TTL hits the pinned prefix', () => {
    const p = make('tool-ttl');
    const kv = manager(p, 24);
    const turn1 = evictionRequest('t1', { wf: 'w', role: 'a', taskTokens: 24, hints: { toolWaitUs: 5000 } });
    admit(kv, turn1, 0);
    kv.free(turn1, 100);
    // Pressure: 8 blocks are pinned, 15 are not; another request takes 13 of those 15.
    const other = evictionRequest('o', { wf: 'x', role: 'b', taskTokens: 88 });
    expect(admit(kv, other, 200)).toBe(true);
    const turn2 = evictionRequest('t2', { wf: 'w', role: 'a', taskTokens: 24 });
    expect(kv.getComputedBlocks(turn2)).toBe(112); // system 48 + context 64 = 7 blocks kept
    expect(admit(kv, turn2, 300)).toBe(true);
    expect(p.stats?.()).toMatchObject({ hitsWhilePinned: 7, forcedEvictions: 0 });
  });
});
