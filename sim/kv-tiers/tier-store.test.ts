import { describe, expect, it } from 'vitest';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import { instantiate } from '../../policies/registry.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import { SeededRng } from '../../policies/rng.js';
import { TransferLink } from './link.js';
import { KvTierStore } from './tier-store.js';

const owner = { priority: 0, workflowId: 'w', agentId: 'a' };

describe('KvTierStore: capacity and conservation', () => {
  it('holds at most its capacity, evicting the least recently used hash', () => {
    const s = new KvTierStore('cpu', 3, new LruEviction());
    const link = new TransferLink('l', 1, 0); // 1 µs per 1000-byte block
    for (const h of [11, 12, 13, 14]) s.write(h, owner, link, 1000, 0);
    s.flush(10);
    expect(s.storedBlocks).toBe(3);
    expect(s.evictions).toBe(0); // the 4th write found no slot free: dropped, not evicting a pending one
    expect(s.writesDropped).toBe(1);
    s.write(14, owner, link, 1000, 20);
    s.flush(30);
    // 11 was written first, so it goes first.
    expect([11, 12, 13, 14].map((h) => s.lookup(h) >= 0)).toEqual([false, true, true, true]);
    expect(s.evictions).toBe(1);
    s.checkInvariants();
  });

  it('stores each hash once, and a write is invisible until it lands', () => {
    const s = new KvTierStore('remote', 10, new LruEviction());
    const a = new TransferLink('a', 1, 5);
    const b = new TransferLink('b', 1, 5);
    s.write(7, owner, a, 1000, 0); // lands at 0 + 1 + 5
    s.write(7, owner, b, 1000, 0); // already on its way from a: skipped
    s.flush(5);
    expect(s.lookup(7)).toBe(-1);
    s.flush(6);
    expect(s.lookup(7)).toBeGreaterThan(0);
    s.write(7, owner, b, 1000, 10); // already stored: skipped
    expect(s).toMatchObject({ writes: 1, writesSkipped: 2, storedBlocks: 1 });
    expect(b.bytes).toBe(0);
    s.checkInvariants();
  });

  it('a pinned slot is never evicted; with every slot pinned, writes are dropped', () => {
    const s = new KvTierStore('cpu', 2, new LruEviction());
    const l = new TransferLink('l', 1, 0);
    s.write(1, owner, l, 1000, 0);
    s.write(2, owner, l, 1000, 0);
    s.flush(5);
    const s1 = s.lookup(1);
    const s2 = s.lookup(2);
    s.pin(s1, 6, owner);
    s.pin(s2, 6, owner);
    s.write(3, owner, l, 1000, 7);
    expect(s.writesDropped).toBe(1);
    s.unpin(s1, 8); // 1 is now the most recent
    s.unpin(s2, 9); // 2 more recent still... unpinning order decides recency
    s.write(3, owner, l, 1000, 10);
    s.flush(20);
    expect([1, 2, 3].map((h) => s.lookup(h) >= 0)).toEqual([false, true, true]);
    s.checkInvariants();
  });

  it('a crash of the process holding it loses everything, writes in flight included', () => {
    const s = new KvTierStore('cpu', 4, new LruEviction());
    const l = new TransferLink('l', 1, 0);
    s.write(1, owner, l, 1000, 0);
    s.flush(5);
    const slot = s.lookup(1);
    s.pin(slot, 6, owner); // a load reading it
    s.write(2, owner, l, 1000, 6); // in flight until 7
    s.clear(6);
    s.flush(10);
    expect([s.lookup(1), s.lookup(2), s.storedBlocks, s.pendingWrites]).toEqual([-1, -1, 0, 0]);
    expect(s.pinnedSlots).toBe(1); // until its load releases it
    s.checkInvariants();
    s.unpin(slot, 11);
    expect(s.pool.numFree).toBe(4);
    s.checkInvariants();
  });

  for (const kind of Object.keys(EVICTION_POLICIES)) {
    it(`conserves slots under random writes, pins and unpins (eviction: ${kind})`, () => {
      const make = (): EvictionPolicy => instantiate<EvictionPolicy>(EVICTION_POLICIES, { kind, options: {} }, { blockSize: 16 }, 'eviction policy');
      const s = new KvTierStore('t', 24, make());
      const links = [new TransferLink('x', 1, 3), new TransferLink('y', 2, 1)];
      const rng = new SeededRng(5);
      const pinned: number[] = [];
      let now = 0;
      for (let op = 0; op < 2000; op++) {
        now += rng.int(40);
        s.flush(now);
        const r = rng.float();
        if (r < 0.6) {
          s.write(1 + rng.int(60), { priority: rng.int(3), workflowId: `w${rng.int(4)}`, agentId: 'a' }, links[rng.int(2)]!, 1000 + rng.int(5000), now);
        } else if (r < 0.8) {
          const slot = s.lookup(1 + rng.int(60));
          if (slot >= 0) {
            s.pin(slot, now, owner);
            pinned.push(slot);
          }
        } else if (pinned.length > 0) {
          s.unpin(pinned.splice(rng.int(pinned.length), 1)[0]!, now);
        }
        s.checkInvariants();
        expect(s.storedBlocks + s.pendingWrites).toBeLessThanOrEqual(24);
      }
      expect(s.writes).toBeGreaterThan(100);
      expect(s.evictions).toBeGreaterThan(0);
    });
  }
});
