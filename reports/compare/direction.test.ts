import { describe, expect, it } from 'vitest';
import { benchmarkJson } from './benchmark.js';
import { metricDirection, metricUnit } from './direction.js';
import { describeLimit, mergeGates, parseGateFlag } from './gates.js';
import { makeReport } from './testdata/make-report.js';

describe('metricDirection and metricUnit (read from the name)', () => {
  it('classifies the summary metrics', () => {
    const dirs: Record<string, 'lower' | 'higher' | undefined> = {
      throughputRps: 'higher', outputTokensPerSec: 'higher', goodputWps: 'higher', prefixCacheHitRate: 'higher', workflowsCompleted: 'higher',
      workflowAffinity: 'higher', requestsOk: 'higher',
      makespanMsP99: 'lower', ttftMsP50: 'lower', makespanMsMean: 'lower', criticalPathMs: 'lower', requestsFailed: 'lower', requestsRejected: 'lower',
      requestsTimedOut: 'lower', requestsRetried: 'lower', loadImbalanceCov: 'lower', preemptions: 'lower', evictions: 'lower', slowdownP50: 'lower',
      recomputedPrefillTokens: 'lower', timeToRecoverMs: 'lower',
      promptTokens: undefined, kvUsagePeak: undefined, requestsOkish: undefined,
    };
    for (const [m, d] of Object.entries(dirs)) expect([m, metricDirection(m)]).toEqual([m, d]);
  });

  it('names units', () => {
    expect(['ttftMsP99', 'makespanMsMean', 'e2eMs', 'throughputRps', 'outputTokensPerSec', 'goodputWps', 'workflowsPerSec', 'prefixCacheHitRate', 'kvUsage', 'kvUsagePeak', 'workflowAffinity', 'simDurationS', 'preemptions']
      .map(metricUnit)).toEqual(['ms', 'ms', 'ms', 'req/s', 'tok/s', 'workflows/s', 'workflows/s', 'ratio', 'ratio', 'ratio', 'ratio', 's', 'count']);
  });
});

describe('benchmarkJson (github-action-benchmark inputs)', () => {
  it('gives the seed median, half the spread as range, and the seeds, split by direction; metrics without a direction or values are left out', () => {
    const r = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [100, 140, 120], throughputRps: [3, 5, 4], promptTokens: [1, 1, 1], ttftMsP99: [null, null, null] } }], { name: 's' });
    expect(benchmarkJson(r, ['promptTokens'])).toEqual({
      smaller: [{ name: 's/w/p/makespanMsP99', unit: 'ms', value: 120, range: '±20', extra: 'seeds: 1, 2, 3; min 100, max 140' }],
      bigger: [{ name: 's/w/p/throughputRps', unit: 'req/s', value: 4, range: '±1', extra: 'seeds: 1, 2, 3; min 3, max 5' }],
    });
  });
});

describe('gate flags and rules', () => {
  it('parses METRIC:KIND=VALUE[,KIND=VALUE]', () => {
    expect(parseGateFlag('ttftMsP99:max=800,alpha=0.01')).toEqual({ metric: 'ttftMsP99', rule: { max: 800, alpha: 0.01 } });
    expect(parseGateFlag('m:maxDecreasePct= 2 ')).toEqual({ metric: 'm', rule: { maxDecreasePct: 2 } });
  });

  it('says what is wrong with a bad one', () => {
    expect(parseGateFlag(':max=1')).toEqual({ error: "gate ':max=1': expected METRIC:KIND=VALUE, e.g. makespanMsP99:maxIncreasePct=5" });
    expect(parseGateFlag('m:max')).toEqual({ error: "gate 'm:max': expected KIND=NUMBER, found 'max'" });
    expect(parseGateFlag('m:=3')).toEqual({ error: "gate 'm:=3': expected KIND=NUMBER, found '=3'" });
    expect(parseGateFlag('m:max=')).toEqual({ error: "gate 'm:max=': expected KIND=NUMBER, found 'max='" });
    expect(parseGateFlag('m:max=abc')).toEqual({ error: "gate 'm:max=abc': expected KIND=NUMBER, found 'max=abc'" });
    expect(parseGateFlag('m:most=3')).toEqual({ error: "gate 'm:most=3': rule: unknown kind 'most'; valid kinds: maxIncreasePct, maxDecreasePct, max, min, alpha" });
    expect(parseGateFlag('m:maxIncreasePct=-1')).toMatchObject({ error: expect.stringMatching(/^gate 'm:maxIncreasePct=-1': maxIncreasePct: /) });
    expect(parseGateFlag('m:alpha=0.1')).toEqual({ error: "gate 'm:alpha=0.1': rule: expected at least one of maxIncreasePct, maxDecreasePct, max, min" });
    expect(parseGateFlag('9m:max=1')).toEqual({ error: "gate '9m:max=1': metric: expected a summary metric name such as makespanMsP99" });
  });

  it('merges command-line rules over the scenario\'s per metric, key by key', () => {
    expect(mergeGates({ a: { max: 1, min: 0 }, b: { max: 2 } }, { a: { max: 5 }, c: { min: 3 } })).toEqual({ a: { max: 5, min: 0 }, b: { max: 2 }, c: { min: 3 } });
    expect(mergeGates(undefined, { a: { max: 1 } })).toEqual({ a: { max: 1 } });
  });

  it('describes each limit', () => {
    expect([describeLimit('maxIncreasePct', 5), describeLimit('maxDecreasePct', 2), describeLimit('max', 800), describeLimit('min', 0.5)]).toEqual(['rise ≤ 5%', 'drop ≤ 2%', '≤ 800', '≥ 0.5']);
  });
});
