import { describe, expect, it } from 'vitest';
import { arrivalsText, loadText, valueText, workloadParams } from './load.js';

describe('the load in words', () => {
  const seq = {
    name: 'sequential', workflows: 120, arrivals: { kind: 'poisson', ratePerSec: 6 }, priority: 0, maxTokens: 4096, systemTokens: 512,
    contextTokens: { dist: 'uniform', min: 1000, max: 3000 }, outputTokens: { dist: 'lognormal', mean: 200, std: 80 }, agents: 4,
    roles: ['agent'], toolWaitMs: { dist: 'exponential', mean: 500 }, pattern: 'sequential',
  };

  it('keeps every parameter but the name and pattern for report.json', () => {
    const p = workloadParams(seq);
    expect(Object.keys(p)).toEqual(['workflows', 'arrivals', 'priority', 'maxTokens', 'systemTokens', 'contextTokens', 'outputTokens', 'agents', 'roles', 'toolWaitMs']);
  });

  it('says pattern, arrivals, size, then the rest', () => {
    expect(loadText('sequential', workloadParams(seq))).toBe(
      'sequential, poisson arrivals at 6/s, 120 workflows; systemTokens 512; contextTokens uniform 1,000–3,000; outputTokens lognormal mean 200 sd 80; agents 4; toolWaitMs exponential mean 500');
  });

  it('words every arrival process', () => {
    expect(arrivalsText({ kind: 'gamma', ratePerSec: 5, burstiness: 2 })).toBe('gamma arrivals at 5/s (burstiness 2)');
    expect(arrivalsText({ kind: 'closed-loop', concurrency: 8, thinkTimeMs: 0 })).toBe('closed loop of 8 (think time 0 ms)');
    expect(arrivalsText({ kind: 'stages', process: 'constant', stages: [{ durationS: 10, ratePerSec: 2 }, { durationS: 5, rampToPerSec: 10 }] }))
      .toBe('constant arrivals in stages: 10 s at 2/s, 5 s at 0→10/s');
    expect(valueText(0.125)).toBe('0.125');
    expect(valueText(1.5)).toBe('1.5');
    expect(valueText({ zipf: 1.1 })).toBe('zipf 1.1');
  });
});
