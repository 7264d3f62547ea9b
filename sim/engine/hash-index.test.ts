import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { BlockHashIndex } from './hash-index.js';

describe('BlockHashIndex', () => {
  it('behaves like a first-added multimap under random adds and removes, across rebuilds', () => {
    const rng = new SeededRng(11);
    const numBlocks = 512;
    const idx = new BlockHashIndex(numBlocks);
    const model = new Map<number, number[]>();
    // Few distinct keys with colliding low bits force long probe chains and wrap-around.
    const keys = Array.from({ length: 40 }, (_, i) => (i % 8) * 4294967296 * 3 + (i % 5) * 1024 + (i >> 3));
    const live: [number, number][] = [];
    const free = Array.from({ length: numBlocks }, (_, b) => b);
    let removed = 0;
    for (let step = 0; step < 40000; step++) {
      if (live.length < 400 && (live.length === 0 || rng.float() < 0.55)) {
        // Blocks are reused, often under the key they had before: a dead slot must stay dead.
        const k = keys[rng.int(keys.length)]!;
        const b = free.splice(rng.int(Math.min(free.length, 3)), 1)[0]!;
        idx.add(k, b);
        live.push([k, b]);
        model.set(k, [...(model.get(k) ?? []), b]);
      } else {
        const [k, b] = live.splice(rng.int(live.length), 1)[0]!;
        expect(idx.remove(k, b)).toBe(true);
        expect(idx.remove(k, b)).toBe(false);
        removed++;
        free.push(b);
        model.set(k, model.get(k)!.filter((x) => x !== b));
      }
      const probe = keys[rng.int(keys.length)]!;
      const expected = model.get(probe) ?? [];
      expect(idx.get(probe)).toBe(expected.length === 0 ? -1 : expected[0]);
      expect(idx.size).toBe(live.length);
    }
    // 1,024 slots, rebuilt each time 768 are taken: ~18,000 removals forced dozens of rebuilds.
    expect(removed).toBeGreaterThan(15000);
    for (const k of keys) expect(idx.get(k)).toBe(model.get(k)?.[0] ?? -1);
  });

  it('refuses a block that is already indexed and forgets everything on clear', () => {
    const idx = new BlockHashIndex(4);
    idx.add(7, 1);
    expect(() => idx.add(8, 1)).toThrow(/already indexed/);
    idx.clear();
    expect(idx.get(7)).toBe(-1);
    expect(idx.size).toBe(0);
    idx.add(8, 1);
    expect(idx.get(8)).toBe(1);
  });
});
