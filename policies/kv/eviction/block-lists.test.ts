import { describe, expect, it } from 'vitest';
import { BlockLists } from './block-lists.js';

const items = (l: BlockLists, list: number) => {
  const out: number[] = [];
  for (let b = l.head(list); b >= 0; b = l.next(b)) out.push(b);
  return out;
};

describe('BlockLists', () => {
  it('starts with the lists asked for, empty, every block in none', () => {
    const l = new BlockLists(4, 3);
    expect(l.numLists).toBe(3);
    expect([l.size(0), l.size(1), l.size(2)]).toEqual([0, 0, 0]);
    expect([l.head(0), l.head(2)]).toEqual([-1, -1]);
    expect([l.listOf(0), l.listOf(3)]).toEqual([-1, -1]);
    expect([l.next(0), l.next(3)]).toEqual([-1, -1]);
    l.ensureLists(2); // never shrinks
    expect(l.numLists).toBe(3);
    l.ensureLists(5);
    expect(l.numLists).toBe(5);
    expect(l.size(4)).toBe(0);
    expect(l.head(4)).toBe(-1);
  });

  it('links block 0 at the head, in the middle and at the tail', () => {
    const l = new BlockLists(4, 1);
    l.pushBack(0, 0);
    l.pushBack(0, 1); // behind tail 0
    expect(items(l, 0)).toEqual([0, 1]);
    expect(l.size(0)).toBe(2);
    expect(l.listOf(1)).toBe(0);
    expect(l.remove(1)).toBe(0); // 0 is the tail again
    l.pushBack(0, 2);
    expect(items(l, 0)).toEqual([0, 2]);
    l.remove(0); // head 0
    l.pushBack(0, 0);
    l.pushBack(0, 3);
    expect(items(l, 0)).toEqual([2, 0, 3]);
    expect(l.remove(2)).toBe(0); // 0's predecessor leaves
    expect(items(l, 0)).toEqual([0, 3]);
    l.pushBack(0, 2);
    expect(l.remove(3)).toBe(0); // 0's successor... and 2's predecessor
    expect(items(l, 0)).toEqual([0, 2]);
    l.pushBack(0, 1);
    l.pushBack(0, 3);
    expect(l.remove(2)).toBe(0); // between 0 and 1
    expect(items(l, 0)).toEqual([0, 1, 3]);
    expect(l.next(2)).toBe(-1); // a removed block links to nothing
    expect(l.listOf(2)).toBe(-1);
    expect(l.size(0)).toBe(3);
  });

  it('popFront takes the head (block 0 too) and -1 from an empty list; remove of a block in no list is -1', () => {
    const l = new BlockLists(3, 2);
    l.pushBack(1, 2);
    l.pushBack(1, 0);
    expect(l.popFront(1)).toBe(2);
    expect(l.popFront(1)).toBe(0);
    expect(l.listOf(0)).toBe(-1);
    expect(l.size(1)).toBe(0);
    expect(l.popFront(1)).toBe(-1);
    expect(l.popFront(0)).toBe(-1);
    expect(l.remove(1)).toBe(-1);
    l.pushBack(0, 0);
    expect(l.next(0)).toBe(-1);
    expect(items(l, 0)).toEqual([0]);
  });

  it('refuses a block already in a list', () => {
    const l = new BlockLists(3, 2);
    l.pushBack(1, 2);
    expect(() => l.pushBack(0, 2)).toThrow('block 2 is already in list 1');
    expect(l.size(0)).toBe(0);
  });
});
