import { describe, expect, it } from 'vitest';
import { SerialIds } from './serial-ids.js';

describe('SerialIds', () => {
  it('gives back every id it was given, serial or not', () => {
    const ids = [
      'parallel-8-0', 'parallel-8-41', 'wf-7', 'wf-2147483647', // 2^31 − 1: the largest serial
      'wf-2147483648', 'wf-07', 'wf-', 'wf', '-5', 'a--3', 'x-1e3', 'bg-12', '', 'wf-7',
    ];
    const c = new SerialIds(2);
    ids.forEach((id, i) => {
      if (i >= 2) c.grow(2 * i, i); // a column grows as its table does
      c.set(i, id);
    });
    expect(ids.map((_, i) => c.get(i))).toEqual(ids);
  });

  it('keeps serial ids in 8 bytes a row and the others verbatim', () => {
    const c = new SerialIds(4);
    c.set(0, 'wf-1');
    c.set(1, 'wf-2');
    c.set(2, 'wf-02');
    c.set(3, 'bg-3');
    expect(c.byteLength).toBe(4 * 8);
    const transfer: ArrayBuffer[] = [];
    const p = c.pack(4, transfer);
    expect(p.prefixes).toEqual(['wf', 'bg']); // two distinct prefixes, not four ids
    expect(p.others).toEqual([[2, 'wf-02']]); // a leading zero would not come back as written
    expect(transfer).toHaveLength(2);
    const back = SerialIds.unpack(structuredClone(p, { transfer }));
    expect([0, 1, 2, 3].map((i) => back.get(i))).toEqual(['wf-1', 'wf-2', 'wf-02', 'bg-3']);
  });
});
