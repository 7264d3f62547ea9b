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
});
