import { describe, expect, it } from 'vitest';
import { ENVOY_OUTLIER_DEFAULTS, OutlierDetector } from './outlier-detection.js';

describe('OutlierDetector (Envoy consecutive_5xx)', () => {
  it('ejects after consecutive5xx failures in a row; a success restarts the streak', () => {
    const d = new OutlierDetector(ENVOY_OUTLIER_DEFAULTS);
    for (let i = 0; i < 4; i++) expect(d.failure('a', 0, 3)).toBe(false);
    d.success('a');
    expect(d.info('a', 0)).toEqual({ ejected: false, ejections: 0, streak: 0 });
    for (let i = 0; i < 4; i++) expect(d.failure('a', 0, 3)).toBe(false);
    expect(d.failure('a', 0, 3)).toBe(true);
    expect(d.ejected('a', 29_999_999)).toBe(true);
    expect(d.ejected('a', 30e6)).toBe(false);
  });

  it('ejects for base × n ejections, capped at maxEjection', () => {
    const d = new OutlierDetector({ consecutive5xx: 1, baseEjectionUs: 100e6, maxEjectionUs: 250e6, maxEjectionPercent: 100 });
    const ends: number[] = [];
    let t = 0;
    for (let n = 0; n < 4; n++) {
      expect(d.failure('a', t, 2)).toBe(true);
      let until = t;
      while (d.ejected('a', until)) until += 1e6;
      ends.push(until - t);
      t = until;
    }
    expect(ends).toEqual([100e6, 200e6, 250e6, 250e6]);
    // A failure reported while ejected (an attempt sent before) does not extend it.
    expect(d.failure('a', t, 2)).toBe(true);
    expect(d.failure('a', t + 1, 2)).toBe(false);
    expect(d.info('a', t + 1)).toEqual({ ejected: true, ejections: 5, streak: 0 });
  });

  it('ejects at most maxEjectionPercent of the backends, but at least one', () => {
    const d = new OutlierDetector({ consecutive5xx: 1, baseEjectionUs: 30e6, maxEjectionUs: 300e6, maxEjectionPercent: 10 });
    expect(d.failure('a', 0, 3)).toBe(true); // 10 % of 3 is 0: still one
    expect(d.failure('b', 0, 3)).toBe(false);
    expect(d.ejected('b', 0)).toBe(false);
    const half = new OutlierDetector({ consecutive5xx: 1, baseEjectionUs: 30e6, maxEjectionUs: 300e6, maxEjectionPercent: 50 });
    expect(['a', 'b', 'c', 'd'].map((id) => half.failure(id, 0, 4))).toEqual([true, true, false, false]);
  });
});
