import { describe, expect, it } from 'vitest';
import { RENDER_WORDS, renderRuns, renderToken, renderWordIndex } from './render.js';

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
  });

  it('mixes (key, position) into a word index exactly as written (worked through for key 1)', () => {
    // renderWordIndex(1, 0), 32-bit steps (checked with an independent Python port):
    //   imul(1 ^ 0x9e3779b9, 0x85ebca6b) = 0x3b230fe8; ^ floor(1 / 2^32) = 0 leaves it;
    //   imul(h ^ h>>>13, 0xc2b2ae35) = 0x3f2d9fb0; ^= imul(0 + 0x7f4a7c15, 0x27d4eb2f) → 0x8dd5916b;
    //   imul(h ^ h>>>16, 0x85ebca6b) = 0x892aef6a; h ^= h>>>13 → 0x892ea63d; & 255 = 0x3d = 61.
    // Position 1 differs from step 3 on: 0xe5e165ba → 0x1f117409 → 0x1f118c82; & 255 = 0x82 = 130.
    expect(renderWordIndex(1, 0)).toBe(61);
    expect(renderWordIndex(1, 1)).toBe(130);
    // RENDER_WORDS[61] is 'do' (row 4, 14th word), [130] is 'last' (row 9, 3rd word).
    expect(renderToken(1, 0)).toBe(' do');
    expect(renderRuns([{ key: 1, start: 0, length: 2 }])).toBe(' do last');
  });

  it('has 256 distinct words', () => {
    expect(new Set(RENDER_WORDS).size).toBe(256);
  });
});
