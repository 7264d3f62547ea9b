/** `--shard K/N`: this machine's share of a run's cells. */
export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parse `K/N` (1 ≤ K ≤ N ≤ 10,000); an error message otherwise. */
export function parseShard(v: string): ShardSpec | { error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) return { error: `expected K/N (this shard of N, counted from 1), e.g. 2/4, found '${v}'` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000 || index < 1 || index > count) return { error: `expected 1 ≤ K ≤ N ≤ 10000, found '${v}'` };
  return { index, count };
}

/**
 * Split cells into `count` shards balanced by estimated cost: longest first, each to the shard
 * with the least estimated work so far (ties: the lowest shard), so the same cells and counts
 * always give the same split. Returns, per shard, its cell indices in run order.
 */
export function shardCells(costs: readonly number[], count: number): number[][] {
  const order = costs.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const load = new Array<number>(count).fill(0);
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const [c, i] of order) {
    let best = 0;
    for (let k = 1; k < count; k++) if (load[k]! < load[best]!) best = k;
    load[best]! += c;
    out[best]!.push(i);
  }
  for (const s of out) s.sort((a, b) => a - b);
  return out;
}
