import { describe, expect, it } from 'vitest';
import { hashString } from '../kv/hash.js';
import { HashRing } from './hash-ring.js';

/**
 * The owner by the ring's definition, by a linear scan: the node of the smallest point ≥ the
 * key's hash, wrapping to the smallest point of all. Points are hashString(`${node}#${v}`).
 */
function ownerByScan(nodes: readonly string[], virtualNodes: number, key: string): string {
  const h = hashString(key);
  let next: [number, string] | undefined;
  let first: [number, string] | undefined;
  for (const n of nodes) {
    for (let v = 0; v < virtualNodes; v++) {
      const p = hashString(`${n}#${v}`);
      if (!first || p < first[0]) first = [p, n];
      if (p >= h && (!next || p < next[0])) next = [p, n];
    }
  }
  return (next ?? first)![1];
}

describe('HashRing', () => {
  it('keeps its node list', () => {
    expect(new HashRing(['x', 'y']).nodes).toEqual(['x', 'y']);
  });

  it('a one-node ring sends every key to that node', () => {
    const r = new HashRing(['x'], 4);
    for (let k = 0; k < 50; k++) expect(r.get(`k${k}`)).toBe('x');
  });

  it('sends a key to the first point clockwise of its hash, wrapping past the last point', () => {
    const nodes = ['a', 'b', 'c'];
    const r = new HashRing(nodes, 2);
    const keys = Array.from({ length: 200 }, (_, k) => `key-${k}`);
    // Some keys hash beyond the last of the 6 points and must wrap to the first.
    const max = Math.max(...nodes.flatMap((n) => [0, 1].map((v) => hashString(`${n}#${v}`))));
    expect(keys.some((k) => hashString(k) > max)).toBe(true);
    for (const k of keys) expect(r.get(k)).toBe(ownerByScan(nodes, 2, k));
  });

  it('a key hashing exactly onto a point belongs to that point\'s node', () => {
    // `a#0` is a's only point (one virtual node each), so its hash equals that point.
    const r = new HashRing(['a', 'b', 'c'], 1);
    expect(['a#0', 'b#0', 'c#0'].map((k) => r.get(k))).toEqual(['a', 'b', 'c']);
  });
});
