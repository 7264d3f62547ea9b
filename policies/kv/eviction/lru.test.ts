import { describe, expect, it } from 'vitest';
import { EVICTION_POLICIES } from '../registry.js';
import { LruEviction } from './lru.js';
import { testBlockInfo } from './testing.js';
import { SeededRng } from '../../rng.js';

const info = (n: number) => testBlockInfo(n);

describe('LruEviction', () => {
  it('keeps block 0 linked at the head, in the middle and at the tail', () => {
    const p = new LruEviction();
    expect(p.name).toBe('lru');
    p.init([0, 1, 2], info(4));
    expect(p.order()).toEqual([0, 1, 2]);
    expect(p.popFree()).toBe(0); // head 0
    p.onFree(0); // tail 0: its successor is linked behind it
    p.onFree(3);
    expect(p.order()).toEqual([1, 2, 0, 3]);
    p.onTouch(2); // 0's predecessor leaves: 1 → 0
    expect(p.order()).toEqual([1, 0, 3]);
    p.onTouch(3); // 0's successor leaves: 0 is the tail again
    p.onFree(2);
    expect(p.order()).toEqual([1, 0, 2]);
    p.onTouch(0); // the middle
    expect(p.order()).toEqual([1, 2]);
    p.onFree(0);
    expect(p.size).toBe(3);
    expect([p.popFree(), p.popFree(), p.popFree()]).toEqual([1, 2, 0]);
    expect(p.size).toBe(0);
    expect(p.order()).toEqual([]);
  });

  it('pops the head; removing the head or tail relinks the ends', () => {
    const p = new LruEviction();
    p.init([3, 1, 2], info(4));
    p.onTouch(3); // head
    p.onTouch(2); // tail
    expect(p.order()).toEqual([1]);
    p.onFree(3);
    expect(p.order()).toEqual([1, 3]);
  });

  it('refuses a double free, a hit on a block that is not free, and a pop of an empty queue', () => {
    const p = new LruEviction();
    p.init([0, 1], info(3));
    expect(() => p.onFree(1)).toThrow('lru: block 1 is already free');
    expect(() => p.onTouch(2)).toThrow('lru: block 2 is not free');
    p.popFree();
    p.popFree();
    expect(() => p.popFree()).toThrow('lru: no free blocks');
  });

  it('keeps the order of a plain list through random frees, hits and pops', () => {
    // The model is vLLM's queue as an array: append at the tail, splice out a hit, shift the head.
    for (const n of [2, 3, 5, 17, 64]) {
      const rng = new SeededRng(`lru-model-${n}`);
      const p = new LruEviction();
      const ids = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      }
      p.init(ids, info(n));
      const model = [...ids];
      const used: number[] = [];
      // 40n operations, mostly hits and frees: blocks leave and rejoin at the head, in the
      // middle and at the tail many times.
      for (let op = 0; op < 40 * n; op++) {
        const x = rng.float();
        if (x < 0.1 && model.length > 0) {
          const b = p.popFree();
          expect(b).toBe(model.shift());
          used.push(b);
        } else if (x < 0.55 && model.length > 0) {
          const b = model.splice(rng.int(model.length), 1)[0]!;
          p.onTouch(b);
          used.push(b);
        } else if (used.length > 0) {
          const b = used.splice(rng.int(used.length), 1)[0]!;
          p.onFree(b);
          model.push(b);
        }
        expect(p.size).toBe(model.length);
        if (op % 7 === 0) expect(p.order()).toEqual(model);
      }
      expect(p.order()).toEqual(model);
    }
  });

  it('is registered as vLLM\'s free queue', () => {
    expect(EVICTION_POLICIES.lru.summary).toMatch(/^vLLM v1's free queue: evict the least recently freed block/);
  });
});
