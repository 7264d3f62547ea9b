import { describe, expect, it } from 'vitest';
import { renderRuns } from '../../workloads/render.js';
import { blockHashesOfIds, contentIds, tokenize, tokenPieces, VOCAB_WORDS } from './tokenizer.js';

describe('tokenizer', () => {
  it('turns N rendered tokens back into exactly N vocabulary ids', () => {
    const runs = [{ key: 11, start: 0, length: 300 }, { key: 12, start: 40, length: 77 }];
    const ids = tokenize(renderRuns(runs));
    expect(ids).toHaveLength(377);
    expect(ids.every((id) => id < VOCAB_WORDS)).toBe(true);
    expect(ids.slice(0, 300)).toEqual(contentIds(11, 300));
  });

  it('gives identical block hashes for identical text prefixes, different ones after a change', () => {
    const a = tokenize(renderRuns([{ key: 1, start: 0, length: 64 }, { key: 2, start: 0, length: 32 }]));
    const b = tokenize(renderRuns([{ key: 1, start: 0, length: 64 }, { key: 3, start: 0, length: 32 }]));
    const ha = blockHashesOfIds(a, 16);
    const hb = blockHashesOfIds(b, 16);
    expect(ha).toHaveLength(6);
    expect(hb.slice(0, 4)).toEqual(ha.slice(0, 4));
    expect(hb[4]).not.toBe(ha[4]);
  });

  it('tokenizes arbitrary text deterministically (words, punctuation, newlines)', () => {
    const t = 'Hello, world!\n  How are you?';
    // Pieces: 'Hello,' ' world!' '\n ' ' How' ' are' ' you?' (the newline run gives up its last
    // space to the word after it). ' are' is RENDER_WORDS[18], so its id is 18; every other piece is
    // VOCAB_WORDS (256) + cyrb53(piece) % 1_000_003, cyrb53 values from an independent Python port:
    //   'Hello,'  5796085124126187 % 1000003 = 922982 → 923238
    //   ' world!' 5265517715900837 % 1000003 = 395080 → 395336
    //   '\n '     3330392120924449 % 1000003 = 778062 → 778318
    //   ' How'    263138766825855  % 1000003 = 411924 → 412180 (case matters: 'how' is a render word, 'How' is not)
    //   ' you?'   3087904721179158 % 1000003 = 492787 → 493043
    expect(tokenize(t)).toEqual([923238, 395336, 778318, 412180, 18, 493043]);
    expect(tokenize('')).toEqual([]);
  });

  it('splits text into the pieces it counts, which join back to the text', () => {
    const t = '{"city": "Paris", "n":  3}\n\tx\n    "y" \n';
    expect(tokenPieces(t)).toEqual(['{"city":', ' "Paris",', ' "n":', ' ', ' 3}', '\n\t', 'x', '\n   ', ' "y"', ' \n']);
    expect(tokenPieces(t).join('')).toBe(t);
    expect(tokenPieces(t)).toHaveLength(tokenize(t).length);
  });
});
