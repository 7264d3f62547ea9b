import { describe, expect, it } from 'vitest';
import { RENDER_WORDS, renderRuns, renderToken } from './render.js';

describe('renderRuns', () => {
  it('renders one space-prefixed vocabulary word per token', () => {
    const text = renderRuns([{ key: 7, start: 0, length: 50 }]);
    const words = text.split(' ').slice(1);
    expect(words).toHaveLength(50);
    for (const w of words) expect(RENDER_WORDS).toContain(w);
  });

  it('gives byte-identical text for identical runs, however they are split', () => {
    const whole = renderRuns([{ key: 3, start: 0, length: 40 }, { key: 9, start: 5, length: 10 }]);
    const split = renderRuns([{ key: 3, start: 0, length: 17 }, { key: 3, start: 17, length: 23 }, { key: 9, start: 5, length: 10 }]);
    expect(split).toBe(whole);
  });

  it('shares a text prefix exactly when the runs share a prefix', () => {
    const a = renderRuns([{ key: 1, start: 0, length: 30 }, { key: 2, start: 0, length: 5 }]);
    const b = renderRuns([{ key: 1, start: 0, length: 30 }, { key: 4, start: 0, length: 5 }]);
    const prefix = renderRuns([{ key: 1, start: 0, length: 30 }]);
    expect(a.startsWith(prefix) && b.startsWith(prefix)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('spreads tokens over the vocabulary (different keys and positions give different words)', () => {
    const seen = new Set<string>();
    for (let p = 0; p < 2000; p++) seen.add(renderToken(12345, p));
    expect(seen.size).toBeGreaterThan(200);
    expect(renderToken(1, 0)).toBe(renderToken(1, 0));
  });

  it('has 256 distinct words', () => {
    expect(new Set(RENDER_WORDS).size).toBe(256);
  });
});
