import { describe, expect, it } from 'vitest';
import { editDistance, summaryMetricNames, unknownGateMetrics } from './metric-names.js';

describe('summaryMetricNames', () => {
  it('names the base metrics, and the optional groups only when the scenario has them', () => {
    const base = summaryMetricNames({ kvTiers: false, faults: false, traceRowsSkipped: false });
    expect(base.slice(0, 3)).toEqual(['requestsTotal', 'requestsOk', 'requestsFailed']);
    expect(base).toContain('goodputWps');
    expect(base).toContain('makespanMsP99');
    expect(base).not.toContain('kvCpuHitRate');
    const all = summaryMetricNames({ kvTiers: true, faults: true, traceRowsSkipped: true });
    expect(all).toEqual(expect.arrayContaining(['kvCpuHitRate', 'pdTransferMsP50', 'timeToRecoverMs', 'makespanInflationAtFault', 'traceRowsSkipped']));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('unknownGateMetrics', () => {
  it('names each unknown metric with a close match, then the valid list once', () => {
    const p = unknownGateMetrics(['makespanMsP99', 'throughputRPS', 'zzz'], ['makespanMsP99', 'throughputRps'], (m) => `gates.${m}`);
    expect(p).toEqual([
      "gates.throughputRPS: unknown gate metric 'throughputRPS' (did you mean 'throughputRps'?)",
      "gates.zzz: unknown gate metric 'zzz'",
      'valid gate metrics for this scenario: makespanMsP99, throughputRps',
    ]);
    expect(unknownGateMetrics(['a'], ['a'], (m) => m)).toEqual([]);
  });

  it('edit distance by hand: kitten → sitting is 3', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3); // k→s, e→i, +g
    expect(editDistance('', 'abc')).toBe(3);
  });
});
