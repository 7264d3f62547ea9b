import { describe, expect, it } from 'vitest';
import { LogHistogram } from './histogram.js';

describe('LogHistogram', () => {
  it('puts repeated values (the bucket memo) in the same bucket as fresh ones', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    // a sees runs of equal values (as one engine step's decode tokens), b alternates with a
    // value from another bucket so its memo never hits.
    const values = [5, 5, 5, 12.5, 12.5, 0, 0, 5, 1e9, 1e9, 0.0001];
    for (const v of values) a.record(v);
    for (const v of values) {
      b.record(v);
      b.record(777);
    }
    expect(a.count).toBe(11);
    expect(b.count).toBe(22);
    // 5 sits in bucket floor((log10 5 + 3) * 200) + 1 = 740, reported at its geometric middle.
    expect(a.percentile(50)).toBe(10 ** (-3 + 739.5 / 200));
    expect(a.percentile(0)).toBe(0.001);
    expect(a.percentile(100)).toBe(10 ** (-3 + 2000.5 / 200)); // 1e9 clamps to the last bucket
    expect(b.percentile(15)).toBe(a.percentile(50)); // rank 3.15 of 22: the first 5
    expect(a.mean).toBe((5 * 4 + 12.5 * 2 + 2e9 + 0.0001) / 11);
  });

  it('recordMany(v, k) is k records of v: same buckets, count and (bit for bit) sum', () => {
    const one = new LogHistogram();
    const many = new LogHistogram();
    // 0.1 + 0.1 + 0.1 ≠ 0.3 in floating point: the sum must be built one value at a time.
    const runs: [number, number][] = [[0.1, 3], [1.005, 7], [0.1, 1], [40, 0], [5, 2], [-1, 4], [Number.NaN, 2], [0.1, 5]];
    for (const [v, k] of runs) {
      for (let i = 0; i < k; i++) one.record(v);
      many.recordMany(v, k);
    }
    expect(many.count).toBe(18); // 3 + 7 + 1 + 2 + 5; negatives, NaN and k = 0 add nothing
    expect(many.toSparse()).toEqual(one.toSparse());
    expect(Object.is(many.mean, one.mean)).toBe(true);
    expect(many.toSparse().sum).not.toBe(0.1 * 9 + 1.005 * 7 + 5 * 2); // the multiplied sum differs: order matters
  });

  it('ignores negative and non-finite values, also right after a recorded one', () => {
    const h = new LogHistogram();
    h.record(3);
    h.record(Number.NaN);
    h.record(-1);
    h.record(Infinity);
    h.record(Number.NaN);
    expect(h.count).toBe(1);
    expect(h.mean).toBe(3);
  });

  it('merges slices through its sparse form: the union of the values, bucket for bucket', () => {
    const [a, b, whole] = [new LogHistogram(), new LogHistogram(), new LogHistogram()];
    [5, 5, 12.5].forEach((v) => { a.record(v); whole.record(v); });
    [0.5, 12.5, 40].forEach((v) => { b.record(v); whole.record(v); });
    // 5 → bucket 740, 12.5 → floor((log10 12.5 + 3) · 200) + 1 = 820: a has [740, 2], [820, 1].
    expect(a.toSparse()).toEqual({ n: 3, sum: 22.5, buckets: [[740, 2], [820, 1]] });
    const merged = new LogHistogram();
    merged.addSparse(a.toSparse());
    merged.addSparse(JSON.parse(JSON.stringify(b.toSparse())));
    expect(merged.toSparse()).toEqual(whole.toSparse());
    expect(merged.percentile(50)).toBe(whole.percentile(50));
    expect(merged.mean).toBe(75.5 / 6);
    expect(() => merged.addSparse({ n: 1, sum: 1, buckets: [[99_999, 1]] })).toThrow('histogram bucket 99999 out of range 0..2001');
  });
});
