import { describe, expect, test } from 'vitest';
import { TokenDeltas, Timeseries, type InstanceSample } from './timeseries.js';

const sample = (tMs: number, tokens: number, prefillTokens: number, decodeTokens: number): InstanceSample => ({
  tMs, instance: 'i0', kvUsage: 0, running: 0, waiting: 0, healthy: true, tokens, state: 'ok', prefillTokens, decodeTokens,
});

describe('prefill and decode tokens per interval', () => {
  test('deltas of cumulative counters, per engine', () => {
    const d = new TokenDeltas(2);
    expect(d.next(0, { outputTokens: 5, prefillTokens: 100, decodeTokens: 4 })).toEqual({ tokens: 5, prefillTokens: 100, decodeTokens: 4 });
    expect(d.next(1, { outputTokens: 1, prefillTokens: 7, decodeTokens: 0 })).toEqual({ tokens: 1, prefillTokens: 7, decodeTokens: 0 });
    expect(d.next(0, { outputTokens: 9, prefillTokens: 100, decodeTokens: 8 })).toEqual({ tokens: 4, prefillTokens: 0, decodeTokens: 4 });
  });

  test('merging rounds to stay bounded adds the token counts up', () => {
    const ts = new Timeseries(1000, 1, 2);
    ts.push([sample(1, 1, 10, 0)]);
    ts.push([sample(2, 2, 20, 2)]);
    ts.push([sample(3, 3, 30, 3)]); // 3 rounds > 2: rounds 1+2 merge, round 3 stays
    expect(ts.samples.map((s) => [s.tMs, s.tokens, s.prefillTokens, s.decodeTokens])).toEqual([[2, 3, 30, 2], [3, 3, 30, 3]]);
    expect(ts.intervalUs).toBe(2000);
  });


});
