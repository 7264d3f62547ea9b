import { describe, expect, it } from 'vitest';
import { downPeriods, faultWindows, MAX_FAULT_WINDOWS } from './faults.js';

const s = (tMs: number, instance: string, healthy: boolean) => ({ tMs, instance, healthy });

describe('downPeriods', () => {
  it('merges consecutive unhealthy samples per instance, counting the interval before each', () => {
    const samples = [
      s(0, 'i0', true), s(0, 'i1', true),
      s(1000, 'i0', false), s(1000, 'i1', true),
      s(2000, 'i0', false), s(2000, 'i1', false),
      s(3000, 'i0', true), s(3000, 'i1', false),
    ];
    expect(downPeriods(samples, 1)).toEqual([
      { instance: 'i0', tS: 0, tEndS: 2 },
      { instance: 'i1', tS: 1, tEndS: 3 }, // still down at the end of the series
    ]);
  });
});

describe('faultWindows', () => {
  it('draws a window around each fault, with margins, merging faults that overlap', () => {
    const w = faultWindows([
      { instance: 'i0', tS: 100, tEndS: 110 },
      { instance: 'i1', tS: 112, tEndS: 115 },
      { instance: 'i0', tS: 500, tEndS: 501 },
    ], 0, 1000, 1);
    expect(w).toEqual([
      { label: 'fault 1: i0, i1 (90–120 s)', fromS: 90, toS: 120 },
      { label: 'fault 2: i0 (495–506 s)', fromS: 495, toS: 506 },
    ]);
  });

  it('falls back to the whole run with too many windows or when faults cover most of it', () => {
    const many = Array.from({ length: MAX_FAULT_WINDOWS + 1 }, (_, k) => ({ instance: 'i0', tS: 100 * k + 50, tEndS: 100 * k + 51 }));
    expect(faultWindows(many, 0, 1000, 1)).toEqual([{ label: 'whole run', fromS: 0, toS: 1000 }]);
    expect(faultWindows([{ instance: 'i0', tS: 2, tEndS: 8 }], 0, 10, 1)).toEqual([{ label: 'whole run', fromS: 0, toS: 10 }]);
  });
});
