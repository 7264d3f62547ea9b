// Report figures checked on a whole simulated cell (the harness runs it; reports/ cannot import it).
import { describe, expect, test } from 'vitest';
import { requestLatencies } from '../../reports/records.js';
import { runTestCell } from './testing.js';

describe('report figures of a simulated cell', () => {
  test('a run summarised with nearest rank reports an observed TTFT', () => {
    const run = (percentileMethod?: 'nearest-rank') => runTestCell({
      workload: { pattern: 'chat', workflows: 6, arrivals: { kind: 'poisson', ratePerSec: 20 }, taskTokens: 900, outputTokens: 20 },
      ...(percentileMethod ? { percentileMethod } : {}),
    });
    const near = run('nearest-rank');
    const observed = near.requests.rows().map(requestLatencies).map((l) => l.ttftMs);
    expect(observed).toContain(near.summary.ttftMsP99);
    expect(run().summary.ttftMsP99).toBeLessThanOrEqual(near.summary.ttftMsP99!);
  });
  test('a simulated run: the series adds up to the engine totals', () => {
    const r = runTestCell({
      workload: { pattern: 'chat', workflows: 12, arrivals: { kind: 'poisson', ratePerSec: 4 }, taskTokens: 700, outputTokens: 30 },
    });
    const sum = (k: 'prefillTokens' | 'decodeTokens' | 'tokens') => r.samples.reduce((a, s) => a + s[k], 0);
    const inst = r.instances[0]!;
    expect(sum('prefillTokens')).toBe(inst.prefillTokens);
    expect(sum('decodeTokens')).toBe(inst.decodeTokens);
    expect(inst.prefillTokens).toBeGreaterThanOrEqual(12 * 700); // every prompt computed at least once
    expect(sum('decodeTokens')).toBeGreaterThan(0);
  });});
