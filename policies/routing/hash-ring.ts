import { hashString } from '../kv/hash.js';

/**
 * A consistent-hash ring (Karger et al.; the ketama layout used by uhashring in production-stack
 * and by SGLang's consistent_hash policy): each node owns `virtualNodes` points on a 53-bit
 * circle and a key goes to the first point clockwise of its hash. Removing a node moves only
 * the keys it owned.
 */
export class HashRing {
  readonly #points: number[] = [];
  readonly #owners: string[] = [];
  readonly nodes: readonly string[];

  constructor(nodes: readonly string[], virtualNodes = 160) {
    this.nodes = [...nodes];
    const pairs: [number, string][] = [];
    for (const n of nodes) for (let v = 0; v < virtualNodes; v++) pairs.push([hashString(`${n}#${v}`), n]);
    // Equal points (vanishingly rare) are ordered by owner so the ring does not depend on input order.
    pairs.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [p, n] of pairs) {
      this.#points.push(p);
      this.#owners.push(n);
    }
  }

  /** The node owning `key`, or undefined on an empty ring. */
  get(key: string): string | undefined {
    const pts = this.#points;
    if (pts.length === 0) return undefined;
    const h = hashString(key);
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === pts.length ? 0 : lo];
  }
}
