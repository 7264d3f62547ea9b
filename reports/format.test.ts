import { describe, expect, it } from 'vitest';
import { SeededRng } from '../policies/rng.js';
import { fmt } from './format.js';

const intl = (x: number, digits: number): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

describe('fmt', () => {
  it('rounds the shortest decimal half away from zero, as ICU does (not the binary value, as toFixed does)', () => {
    // 1.005 is stored as 1.00499999999999989…: toFixed(2) gives "1.00", ICU "1.01".
    expect(fmt(1.005, 2)).toBe('1.01');
    expect(fmt(2.675, 2)).toBe('2.68');
    expect(fmt(-2.5, 0)).toBe('-3');
    expect(fmt(999.995, 2)).toBe('1,000.00'); // the carry adds a digit and a separator
    expect(fmt(1234567.891, 1)).toBe('1,234,567.9');
  });

  it('keeps the minus of -0 and of negatives rounding to zero, and writes large and tiny values out', () => {
    expect(fmt(-0, 2)).toBe('-0.00');
    expect(fmt(-0.001, 0)).toBe('-0');
    expect(fmt(1e21, 0)).toBe('1,000,000,000,000,000,000,000');
    expect(fmt(5e-7, 6)).toBe('0.000001');
    expect(fmt(4.9e-7, 6)).toBe('0.000000');
    expect(fmt(Number.NaN, 2)).toBe('–');
    expect(fmt(null, 2)).toBe('–');
  });

  it('matches toLocaleString on 5,000 random values across magnitudes and decimals', () => {
    const rng = new SeededRng('fmt');
    const misses: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const digits = rng.int(7);
      const mag = 10 ** (rng.int(30) - 10);
      // Integers, halves at the rounding digit, and arbitrary doubles.
      const kind = rng.int(3);
      const raw = rng.float() * mag * (rng.float() < 0.2 ? -1 : 1);
      const x = kind === 0 ? Math.round(raw) : kind === 1 ? (Math.round(raw * 10 ** digits) + 0.5) / 10 ** digits : raw;
      if (fmt(x, digits) !== intl(x, digits)) misses.push(`${x} @${digits}: ${fmt(x, digits)} vs ${intl(x, digits)}`);
    }
    expect(misses).toEqual([]);
  });
});
