import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../policies/rng.js';
import { withStages } from '../../cli/load.js';
import { workload } from '../../../workloads/testdata/specs.js';
import { WorkloadSource } from '../../../workloads/workload.js';
import { parseStages } from './stages.js';

describe('rate stages', () => {
  it('parses durations and rates, and reports bad input', () => {
    expect(parseStages('10s@2, 1m@0.5')).toEqual([{ durationS: 10, ratePerSec: 2 }, { durationS: 60, ratePerSec: 0.5 }]);
    expect(parseStages('10@2')).toHaveProperty('error');
    expect(parseStages('')).toHaveProperty('error');
  });

  it('--stages become the workload\'s own stages arrivals: each stage\'s rate, in order, none after the last stage', () => {
    const spec = withStages(workload({ pattern: 'chat', workflows: 4 }), [{ durationS: 100, ratePerSec: 2 }, { durationS: 100, ratePerSec: 10 }]);
    const src = new WorkloadSource(spec, new SeededRng(1));
    const times: number[] = [];
    for (let x = src.nextArrival(); x; x = src.nextArrival()) times.push(x.arrivalUs);
    // Expected 200 + 1000 arrivals; the workflow count (4) no longer bounds the workload.
    const first = times.filter((t) => t <= 100e6).length;
    const second = times.length - first;
    expect(first).toBeGreaterThan(150);
    expect(first).toBeLessThan(250);
    expect(second).toBeGreaterThan(850);
    expect(second).toBeLessThan(1150);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times.at(-1)!).toBeLessThanOrEqual(200e6);
  });
});
