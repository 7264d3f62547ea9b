import { expect, test } from 'vitest';
import { Interned } from './interned.js';

test('codes are first-seen indices, stable under repeats and alternation (the last-string shortcut changes nothing)', () => {
  const d = new Interned();
  // a a b a c c b → a = 0, b = 1, c = 2.
  expect(['a', 'a', 'b', 'a', 'c', 'c', 'b'].map((s) => d.code(s))).toEqual([0, 0, 1, 0, 2, 2, 1]);
  expect(d.values).toEqual(['a', 'b', 'c']);
  // An equal string built at run time (not the same object) gets the same code.
  expect(d.code(['c'].join(''))).toBe(2);
  expect(d.code('')).toBe(3);
  expect(d.code('')).toBe(3);
  expect(d.values).toEqual(['a', 'b', 'c', '']);

  // A record read back from elsewhere may carry a non-string where a string belongs: it still
  // gets a code of its own on a fresh dictionary (the shortcut's empty state matches nothing).
  const e = new Interned();
  expect(e.code(undefined as unknown as string)).toBe(0);
  expect(e.code('x')).toBe(1);
});
