import { describe, expect, it } from 'vitest';
import { SeededRng } from './rng.js';

function draw(rng: { float(): number }, n: number): number[] {
  return Array.from({ length: n }, () => rng.float());
}

describe('SeededRng', () => {
  it('is reproducible for the same seed', () => {
    expect(draw(new SeededRng(42), 5)).toEqual(draw(new SeededRng(42), 5));
    expect(draw(new SeededRng(42), 5)).not.toEqual(draw(new SeededRng(43), 5));
  });

  it('forks streams that do not depend on how far the parent advanced', () => {
    const a = new SeededRng(7);
    const b = new SeededRng(7);
    draw(b, 100);
    expect(draw(a.fork('arrivals'), 5)).toEqual(draw(b.fork('arrivals'), 5));
  });

  it('forks independent streams per label, and forking does not move the parent', () => {
    const root = new SeededRng(7);
    const x = draw(root.fork('x'), 1000);
    const y = draw(root.fork('y'), 1000);
    expect(x).not.toEqual(y);
    // Pearson correlation between the two streams is near zero.
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    const mx = mean(x);
    const my = mean(y);
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < x.length; i++) {
      const dx = x[i]! - mx, dy = y[i]! - my;
      sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
    }
    expect(Math.abs(sxy / Math.sqrt(sxx * syy))).toBeLessThan(0.1);
    expect(draw(root, 3)).toEqual(draw(new SeededRng(7), 3));
  });

  it('int covers [0, max) uniformly and rejects a bad bound', () => {
    const rng = new SeededRng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[rng.int(4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    expect(() => rng.int(0)).toThrow(RangeError);
  });
});
