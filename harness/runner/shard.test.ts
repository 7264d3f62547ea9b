import { describe, expect, it } from 'vitest';
import { parseShard, shardCells } from './shard.js';

describe('shards', () => {
  it('parses K/N and names what is wrong', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('0/4')).toEqual({ error: "expected 1 ≤ K ≤ N ≤ 10000, found '0/4'" });
    expect(parseShard('5/4')).toEqual({ error: "expected 1 ≤ K ≤ N ≤ 10000, found '5/4'" });
    expect(parseShard('2of4')).toEqual({ error: "expected K/N (this shard of N, counted from 1), e.g. 2/4, found '2of4'" });
  });

  it('balances by estimated cost, longest first, deterministically', () => {
    // Longest first: cell 0 (10) → s0 [10, 0]; cell 3 (8) → s1 [10, 8]; cell 4 (2) → s1 [10, 10];
    // cell 5 (2) → tie, lowest: s0 [12, 10]; cell 1 (1) → s1 [12, 11]; cell 2 (1) → s1 [12, 12].
    expect(shardCells([10, 1, 1, 8, 2, 2], 2)).toEqual([[0, 5], [1, 2, 3, 4]]);
    expect(shardCells([5, 5, 5], 3)).toEqual([[0], [1], [2]]);
    expect(shardCells([1, 1], 3)).toEqual([[0], [1], []]);
  });
});
