import { describe, expect, it } from 'vitest';
import { EVICTION_POLICIES } from '../registry.js';
import { LruEviction } from './lru.js';
import { testBlockInfo } from './testing.js';

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

  it('is registered as vLLM\'s free queue', () => {
    expect(EVICTION_POLICIES.lru.summary).toMatch(/^vLLM v1's free queue: evict the least recently freed block/);
  });
});
