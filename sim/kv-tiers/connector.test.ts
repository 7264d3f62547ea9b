import { describe, expect, it } from 'vitest';
import { spec } from '../engine/testing.js';
import { TEST_BLOCK_BYTES, tierRig } from './testing.js';
import type { TierConfig } from './build.js';

// Linear cost model: a step costs 1000 µs + 10 µs per prefill token + 5 µs per decode sequence.
// Blocks are 16 tokens and 64,000 bytes, so a block takes 64 µs over a 1 GB/s link.
const cpuTier = (over: Partial<TierConfig> = {}): TierConfig => ({ capacityBlocks: 100, bandwidthGBps: 1, latencyUs: 10, write: 'evict', ...over });
const remoteTier = (over: Partial<TierConfig> = {}): TierConfig => ({ capacityBlocks: 500, bandwidthGBps: 1, latencyUs: 100, write: 'through', ...over });

const docHash = (i: number): number => spec('x', [['doc', 320], ['q', 16]], 1, new Map()).blockHashes[i]!;

/**
 * A (320-token "doc") runs and finishes; B (560 unique tokens) needs 35 of the 39 usable blocks
 * and evicts the tail of A's prefix: A's blocks 4..19 go to the CPU tier, 0..3 stay on the GPU.
 * Then C (doc + 16 tokens) arrives at 13,000 µs.
 */
function evictThenReuse(cpu: TierConfig) {
  const rig = tierRig(1, { cpu, loadRule: 'cheaper' }, undefined, { numBlocks: 40 });
  rig.submit(0, 0, 'a', [['doc', 320]], 1); // prefill 1000 + 3200 -> done at 4200
  rig.submit(0, 5000, 'b', [['filler', 560]], 1); // chunks 512 + 48 -> done at 12,600
  rig.submit(0, 13_000, 'c', [['doc', 320], ['q', 16]], 1);
  return rig;
}

describe('KV tiers: a prefix evicted from the GPU comes back from the CPU tier', () => {
  it('loads it at the stated cost when that beats recomputing (hand-computed)', () => {
    const rig = evictThenReuse(cpuTier());
    const e = rig.engines[0]!;
    const cpu = rig.kv.cpuStores[0]!;
    let during: { gpu: number; cpu: number; pinned: number; state: string } | null = null;
    rig.clock.at(13_500, 'sample', () => {
      during = { gpu: e.kv.pool.getCachedBlock(docHash(4)), cpu: cpu.lookup(docHash(4)), pinned: cpu.pinnedSlots, state: e.get('c')!.status };
    });
    rig.clock.run();
    // C: the GPU still holds doc blocks 0..3 (64 tokens); the CPU tier has blocks 4..19.
    // Load 16 blocks over the 1 GB/s host link: 16 × 64 µs + 10 µs latency = 1,034 µs.
    // Recompute instead: prefill(64 → 336) − prefill(320 → 336) = (1000 + 2720) − (1000 + 160) = 2,560 µs > 1,034: load.
    // Ready at 14,034; then one step of the 16 remaining tokens: 1000 + 160 = 1,160 µs.
    expect(rig.trace.get('c')!.tokens).toEqual([13_000 + 1034 + 1160]);
    const s = rig.kv.connectors[0]!.stats;
    expect(s).toMatchObject({ cpuHitBlocks: 16, loads: 1, loadsDeclined: 0, loadUs: 1034, savedComputeUs: 2560 });
    expect(rig.kv.links[0]!.cpuLoad!.bytes).toBe(16 * TEST_BLOCK_BYTES);
    // While loading: the GPU block is allocated but not in the prefix cache yet (no hash in two
    // places it should not be), the CPU copy is pinned; afterwards the GPU caches it.
    expect(during).toEqual({ gpu: -1, cpu: expect.any(Number) as number, pinned: 16, state: 'waiting-kv' });
    expect(e.kv.pool.getCachedBlock(docHash(4))).toBeGreaterThan(0);
    expect(cpu.pinnedSlots).toBe(0);
    e.checkInvariants();
    cpu.checkInvariants();
  });

  it('a request aborted while loading frees its blocks and its CPU pins', () => {
    const rig = evictThenReuse(cpuTier());
    const e = rig.engines[0]!;
    rig.clock.at(13_500, 'timeout', () => {
      expect(e.numLoading).toBe(1);
      e.abort('c', 13_500);
      rig.instances[0]!.kick();
    });
    rig.clock.run();
    expect(rig.trace.get('c')!.tokens).toEqual([]);
    expect(e.numRequests).toBe(0);
    expect(e.kv.pool.numFree).toBe(39);
    expect(rig.kv.cpuStores[0]!.pinnedSlots).toBe(0);
    expect(rig.kv.connectors[0]!.stats.loads).toBe(0); // an abandoned load is not a hit
    e.checkInvariants();
    rig.kv.cpuStores[0]!.checkInvariants();
  });

  it('without a CPU tier the evicted part is recomputed', () => {
    const rig = tierRig(1, undefined, undefined, { numBlocks: 40 });
    rig.submit(0, 0, 'a', [['doc', 320]], 1);
    rig.submit(0, 5000, 'b', [['filler', 560]], 1);
    rig.submit(0, 13_000, 'c', [['doc', 320], ['q', 16]], 1);
    rig.clock.run();
    expect(rig.trace.get('c')!.tokens).toEqual([13_000 + 1000 + 10 * 272]);
  });
});

describe('KV tiers: the shared remote tier', () => {
  it('a prefix computed on one instance is loaded by another once its write has landed', () => {
    const rig = tierRig(2, { remote: remoteTier(), loadRule: 'cheaper' }, undefined);
    rig.submit(0, 0, 'a', [['doc', 320]], 1);
    rig.submit(1, 6000, 'c', [['doc', 320], ['q', 16]], 1);
    rig.clock.run();
    // A's prefill ends at 4,200: its 20 full blocks are written through i0's link, the k-th
    // landing at 4200 + 64k + 100 (all by 5,580). C on i1 at 6,000 finds all 20 in the remote
    // tier: 20 × 64 + 100 = 1,380 µs to load vs prefill(0 → 336) − prefill(320 → 336) = 3,200 µs.
    expect(rig.trace.get('c')!.tokens).toEqual([6000 + 1380 + 1160]);
    expect(rig.kv.connectors[1]!.stats).toMatchObject({ remoteHitBlocks: 20, loads: 1, loadUs: 1380, savedComputeUs: 3200 });
    expect(rig.kv.links[0]!.remoteStore!.bytes).toBe(20 * TEST_BLOCK_BYTES);
    expect(rig.kv.links[1]!.remoteLoad!.bytes).toBe(20 * TEST_BLOCK_BYTES);
    rig.kv.remoteStore!.checkInvariants();
    for (const e of rig.engines) e.checkInvariants();
  });

  it('writes blocks through as the step that fills them ends: a chunked prefill, chunk by chunk', () => {
    // 10 GB/s: 6.4 µs a block. A's 600-token prompt is prefilled in chunks of 512 and 88 tokens
    // (budget 512): the first step ends at 1000 + 10 × 512 = 6,120 with blocks 0..31 full, the
    // second at 6120 + 1000 + 10 × 88 = 8,000 with blocks 32..36 (600 / 16: 37 full blocks).
    // Blocks stored or on their way: none at 6,000, the first chunk's 32 at 7,000, all 37 at 9,000.
    const rig = tierRig(1, { remote: remoteTier({ bandwidthGBps: 10 }), loadRule: 'cheaper' }, undefined);
    const store = rig.kv.remoteStore!;
    const seen: number[] = [];
    for (const t of [6000, 7000, 9000]) {
      rig.clock.at(t, 'sample', () => {
        store.flush(t);
        seen.push(store.storedBlocks + store.pendingWrites);
      });
    }
    rig.submit(0, 0, 'a', [['doc', 600]], 1);
    rig.clock.run();
    expect(rig.trace.get('a')!.tokens).toEqual([8000]);
    expect(seen).toEqual([0, 32, 37]);
    expect(rig.kv.links[0]!.remoteStore!.bytes).toBe(37 * TEST_BLOCK_BYTES);
    store.checkInvariants();
  });

  it('recomputes when the transfer would take longer than the prefill it saves (the load rule)', () => {
    // 0.1 GB/s: 640 µs a block. A's 20 writes land by 4200 + 20 × 640 + 100 = 17,100. C at
    // 20,000 would wait 20 × 640 + 100 = 12,900 µs for a load that saves 3,200: it computes.
    const rig = tierRig(2, { remote: remoteTier({ bandwidthGBps: 0.1 }), loadRule: 'cheaper' }, undefined);
    rig.submit(0, 0, 'a', [['doc', 320]], 1);
    rig.submit(1, 20_000, 'c', [['doc', 320], ['q', 16]], 1);
    rig.clock.run();
    expect(rig.trace.get('c')!.tokens).toEqual([20_000 + 1000 + 3360]);
    expect(rig.kv.connectors[1]!.stats).toMatchObject({ remoteHitBlocks: 0, loads: 0, loadsDeclined: 1 });
    rig.kv.remoteStore!.checkInvariants();
  });

  it('`loadRule: always` loads even then', () => {
    const rig = tierRig(2, { remote: remoteTier({ bandwidthGBps: 0.1 }), loadRule: 'always' }, undefined);
    rig.submit(0, 0, 'a', [['doc', 320]], 1);
    rig.submit(1, 20_000, 'c', [['doc', 320], ['q', 16]], 1);
    rig.clock.run();
    expect(rig.trace.get('c')!.tokens).toEqual([20_000 + 12_900 + 1160]);
    expect(rig.kv.connectors[1]!.stats).toMatchObject({ remoteHitBlocks: 20, loads: 1, loadsDeclined: 0 });
  });

  it('only writes that have landed are visible', () => {
    const rig = tierRig(2, { remote: remoteTier(), loadRule: 'cheaper' }, undefined);
    rig.submit(0, 0, 'a', [['doc', 320]], 1);
    // At 4,600 the writes landed at 4,364, 4,428, 4,492 and 4,556: 4 blocks. Loading them
    // (4 × 64 + 100 = 356 µs) saves prefill(0 → 336) − prefill(64 → 336) = 640 µs; the other
    // 272 tokens are computed after the load: 1000 + 2720.
    rig.submit(1, 4600, 'c', [['doc', 320], ['q', 16]], 1);
    rig.clock.run();
    expect(rig.kv.connectors[1]!.stats).toMatchObject({ remoteHitBlocks: 4, loads: 1 });
    expect(rig.trace.get('c')!.tokens).toEqual([4600 + 356 + 3720]);
  });

  it('tier-aware routing views see device, host and remote overlap', () => {
    const rig = tierRig(2, { cpu: cpuTier(), remote: remoteTier(), loadRule: 'cheaper' }, undefined);
    rig.submit(0, 0, 'a', [['doc', 320]], 1);
    rig.clock.run();
    const hashes = spec('x', [['doc', 320], ['q', 16]], 1, new Map()).blockHashes.slice(0, 21);
    const out = { device: 0, host: 0, remote: 0 };
    rig.kv.connectors[1]!.overlap(hashes, rig.engines[1]!.kv.cachedPrefixBlocks(hashes), 10_000, out);
    expect(out).toEqual({ device: 0, host: 0, remote: 20 });
    rig.kv.connectors[0]!.overlap(hashes, rig.engines[0]!.kv.cachedPrefixBlocks(hashes), 10_000, out);
    expect(out).toEqual({ device: 20, host: 0, remote: 0 });
  });
});
