/** 2 × the mid-rank (1-based) of each value, in input order. */
export function doubledMidRanks(values: readonly number[]): number[] {
  const idx = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const out = new Array<number>(values.length);
  for (let s = 0; s < idx.length;) {
    let e = s;
    while (e + 1 < idx.length && values[idx[e + 1]!] === values[idx[s]!]) e++;
    const r2 = s + 1 + e + 1; // (first rank + last rank) = 2 × mid-rank
    for (let k = s; k <= e; k++) out[idx[k]!] = r2;
    s = e + 1;
  }
  return out;
}
