import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { BlockHashIndex } from './hash-index.js';

describe('BlockHashIndex', () => {
  it('behaves like a first-inserted multimap under random adds and removes', () => {
    const rng = new SeededRng(11);
    const idx = new BlockHashIndex(512);
    const model = new Map<number, number[]>();
    // Few distinct keys with colliding low bits force long probe chains and wrap-around.
    const keys = Array.from({ length: 40 }, (_, i) => (i % 8) * 4294967296 * 3 + (i % 5) * 1024 + (i >> 3));
    const live: [number, number][] = [];
    let nextBlock = 0;
    for (let step = 0; step < 20000; step++) {
      if (live.length < 400 && (live.length === 0 || rng.float() < 0.55)) {
        const k = keys[rng.int(keys.length)]!;
        const b = nextBlock++;
        idx.add(k, b);
        live.push([k, b]);
        model.set(k, [...(model.get(k) ?? []), b]);
      } else {
        const [k, b] = live.splice(rng.int(live.length), 1)[0]!;
        expect(idx.remove(k, b)).toBe(true);
        model.set(k, model.get(k)!.filter((x) => x !== b));
      }
      const probe = keys[rng.int(keys.length)]!;
      const expected = model.get(probe) ?? [];
      const got = idx.get(probe);
      if (expected.length === 0) expect(got).toBe(-1);
      else expect(got).toBe(expected[0]);
      expect(idx.size).toBe(live.length);
    }
    expect(idx.remove(keys[0]!, -5)).toBe(false);
  });
});
