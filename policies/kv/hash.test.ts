import { describe, expect, it } from 'vitest';
import { hashBlocks, hashNumbers, hashString, rootHash, runTokens, type TokenRun } from './hash.js';

// An independent reference of the hash, in BigInt arithmetic (no Math.imul, no 32-bit int
// coercions): two 32-bit lanes, multiply-xor absorption and cyrb53's finaliser.
const u32 = (x: bigint) => BigInt.asUintN(32, x);
class Reference {
  #l1 = 0n;
  #l2 = 0n;
  begin(seed: number): this {
    this.#l1 = u32(0xdeadbeefn ^ BigInt(seed));
    this.#l2 = u32(0x41c6ce57n ^ BigInt(seed));
    return this;
  }
  absorb32(x: number): this {
    const v = u32(BigInt(x));
    this.#l1 = u32((this.#l1 ^ v) * 2654435761n);
    this.#l2 = u32((this.#l2 ^ v) * 1597334677n);
    return this;
  }
  /** Low 32 bits, then the high bits. */
  absorb53(x: number): this {
    const v = BigInt(x);
    return this.absorb32(Number(v & 0xffffffffn)).absorb32(Number(v >> 32n));
  }
  digest(): number {
    let h1 = this.#l1;
    let h2 = this.#l2;
    h1 = u32((h1 ^ (h1 >> 16n)) * 2246822507n);
    h1 ^= u32((h2 ^ (h2 >> 13n)) * 3266489909n);
    h2 = u32((h2 ^ (h2 >> 16n)) * 2246822507n);
    h2 ^= u32((h1 ^ (h1 >> 13n)) * 3266489909n);
    return Number(((h2 & 0x1fffffn) << 32n) | h1);
  }
  chars(s: string): this {
    for (let i = 0; i < s.length; i++) this.absorb32(s.charCodeAt(i));
    return this;
  }
}

/** Reference hash of one block: parent, then each canonical piece as (key, start, length). */
const refBlock = (parent: number, pieces: [number, number, number][]) => {
  const r = new Reference().begin(0x6b76).absorb53(parent);
  for (const [k, s, n] of pieces) r.absorb53(k).absorb53(s).absorb32(n);
  return r.digest();
};

const run = (key: number, start: number, length: number): TokenRun => ({ key, start, length });

describe('hash', () => {
  it('the reference is cyrb53: it reproduces the published values', () => {
    // bryc/code cyrb53 README: cyrb53('a'), cyrb53('b'), cyrb53('revenge').
    expect(new Reference().begin(0).chars('a').digest()).toBe(7929297801672961);
    expect(new Reference().begin(0).chars('b').digest()).toBe(8684336938537663);
    expect(new Reference().begin(0).chars('revenge').digest()).toBe(4051478007546757);
  });

  it('hashString is cyrb53 with the length absorbed after the characters', () => {
    for (const [s, seed] of [['a', 0], ['revenge', 0], ['system:planner', 7], ['', 0]] as const) {
      expect(hashString(s, seed)).toBe(new Reference().begin(seed).chars(s).absorb32(s.length).digest());
    }
    expect(hashString('ab')).not.toBe(hashString('ba'));
  });

  it('hashNumbers absorbs each number as two 32-bit halves, seed 0x9e37', () => {
    const xs = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 33 + 5, Number.MAX_SAFE_INTEGER];
    const ref = new Reference().begin(0x9e37);
    for (const x of xs) ref.absorb53(x);
    expect(hashNumbers(...xs)).toBe(ref.digest());
    // The high half matters: 2^32 and 2^33 have the same low half (0).
    expect(hashNumbers(2 ** 32)).not.toBe(hashNumbers(2 ** 33));
    expect(hashNumbers()).toBe(new Reference().begin(0x9e37).digest());
  });

  it('results are 53-bit non-negative integers', () => {
    for (const s of ['', 'a', 'b', 'x'.repeat(100)]) {
      const h = hashString(s);
      expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    }
  });

  it('rootHash: hashString of the agentbench none-hash with the salt; no salt = empty salt', () => {
    expect(rootHash()).toBe(hashString('agentbench/none-hash/'));
    expect(rootHash('')).toBe(rootHash());
    expect(rootHash('tenant-a')).toBe(hashString('agentbench/none-hash/tenant-a'));
    expect(rootHash('tenant-a')).not.toBe(rootHash('tenant-b'));
  });

  it('hashBlocks chains full blocks only, from the root', () => {
    const root = rootHash();
    const h = hashBlocks([run(11, 0, 40)], 16); // 40 tokens: 2 full blocks
    expect(h).toHaveLength(2);
    const b0 = refBlock(root, [[11, 0, 16]]);
    expect(h).toEqual([b0, refBlock(b0, [[11, 16, 16]])]);
    expect(hashBlocks([run(11, 0, 40)], 16, 12345)[0]).toBe(refBlock(12345, [[11, 0, 16]]));
    expect(hashBlocks([run(11, 0, 15)], 16)).toEqual([]);
  });

  it('a block of several pieces absorbs each canonical piece in order', () => {
    // 6 tokens of key 1 (positions 10..15), 4 of key 2 (0..3), then key 2 again at 9..14.
    const runs = [run(1, 10, 6), run(2, 0, 4), run(2, 9, 6)];
    expect(hashBlocks(runs, 16, 99)).toEqual([refBlock(99, [[1, 10, 6], [2, 0, 4], [2, 9, 6]])]);
  });

  it('equal token sequences hash equally however the runs are split; a different token changes the hash', () => {
    const whole = hashBlocks([run(5, 100, 48)], 16);
    // Split inside blocks, at block edges, and with an empty run.
    expect(hashBlocks([run(5, 100, 7), run(5, 107, 20), run(5, 127, 0), run(5, 127, 21)], 16)).toEqual(whole);
    expect(hashBlocks([run(5, 100, 16), run(5, 116, 32)], 16)).toEqual(whole);
    // Not contiguous (a gap in positions) or another key: different tokens.
    expect(hashBlocks([run(5, 100, 8), run(5, 109, 40)], 16)[0]).not.toBe(whole[0]);
    expect(hashBlocks([run(5, 100, 8), run(6, 108, 40)], 16)[0]).not.toBe(whole[0]);
    // Another first piece in a block of two pieces.
    const tail = run(9, 0, 8);
    expect(hashBlocks([run(7, 0, 8), tail], 16)[0]).not.toBe(hashBlocks([run(8, 0, 8), tail], 16)[0]);
  });

  it('runTokens sums the run lengths', () => {
    expect(runTokens([run(1, 0, 3), run(2, 5, 4), run(3, 0, 0)])).toBe(7);
    expect(runTokens([])).toBe(0);
  });
});
