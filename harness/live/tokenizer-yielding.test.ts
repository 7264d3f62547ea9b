import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { tokenize, tokenizeYielding } from './tokenizer.js';

const ALPHABET = ['a', 'b', 'ü', ' ', ' ', '\n', '\t', '  ', 'x'.repeat(20), 'lorem', '\u00a0', '.'];

describe('tokenizeYielding', () => {
  it('gives exactly the ids of tokenize, whatever the slice size', async () => {
    const rng = new SeededRng(7).fork('text');
    for (let t = 0; t < 40; t++) {
      let text = '';
      for (let k = rng.int(400); k > 0; k--) text += ALPHABET[rng.int(ALPHABET.length)]!;
      for (const slice of [1, 3, 16, 17, 64]) expect(await tokenizeYielding(text, slice)).toEqual(tokenize(text));
    }
  });

  it('lets other work run between slices of a large prompt (a 2 MB prompt: dozens of turns)', async () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(80_000); // 2.16 MB
    let turns = 0;
    let stop = false;
    const tick = (): void => {
      if (stop) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const ids = await tokenizeYielding(text);
    stop = true;
    expect(ids).toEqual(tokenize(text));
    expect(turns).toBeGreaterThanOrEqual(7); // 2.16 MB / 256 KiB slices = 9 slices, 8 turns between them
  });
});
