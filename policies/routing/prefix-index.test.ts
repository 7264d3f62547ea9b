import { describe, expect, it } from 'vitest';
import { hashString } from '../kv/hash.js';
import { PrefixIndex } from './prefix-index.js';

const blocks = (n: number) => Array.from({ length: n }, (_, b) => hashString(`d/${b}`));

describe('PrefixIndex', () => {
  it('needs a capacity of at least one block', () => {
    expect(() => new PrefixIndex(0)).toThrow(new RangeError('PrefixIndex capacity must be >= 1 block, got 0'));
    expect(() => new PrefixIndex(Number.NaN)).toThrow(RangeError);
    const one = new PrefixIndex(1);
    one.insert('a', blocks(1), 0);
    expect(one.size('a')).toBe(1);
  });

  it('remembers exactly the blocks it was given (every stride-th one)', () => {
    const idx = new PrefixIndex(100);
    idx.insert('a', blocks(3), 0);
    expect(idx.size('a')).toBe(3);
    // Stride 2 over 5 blocks: blocks 1 and 3.
    idx.insert('b', blocks(5), 0, 2);
    expect(idx.size('b')).toBe(2);
    expect(idx.match('b', blocks(5), 0, 2)).toBe(4);
  });
});
