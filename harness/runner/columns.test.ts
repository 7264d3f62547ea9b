import { describe, expect, it } from 'vitest';
import { packRows, unpackRows } from './columns.js';

// A structured-clone round trip, as postMessage does it (transferred buffers move).
function viaClone<T>(p: T, transfer: ArrayBuffer[]): T {
  return structuredClone(p, { transfer });
}

describe('packRows / unpackRows', () => {
  const rows = [
    { id: 'wf-1/a#0', instance: 'i0', sendUs: 0, firstTokenUs: NaN, endUs: 2 ** 40 + 1, share: -0, slow: Infinity, healthy: true },
    { id: 'wf-1/b#0', instance: 'i1', sendUs: 17, firstTokenUs: 1.5, endUs: 3, share: 0.1 + 0.2, slow: -Infinity, healthy: false },
    { id: '', instance: 'i0', sendUs: -4, firstTokenUs: 2, endUs: 9, share: 1e-300, slow: 0, healthy: true },
  ];

  it('packs uniform rows into typed columns and rebuilds equal rows (NaN, -0, ±Infinity, empty strings)', () => {
    const transfer: ArrayBuffer[] = [];
    const packed = packRows(rows, transfer);
    expect(packed.kind).toBe('columns');
    // 5 number columns + 1 boolean column, 2 string columns × (ends, codes).
    expect(transfer).toHaveLength(10);
    const back = unpackRows(viaClone(packed, transfer));
    expect(back).toEqual(rows);
    expect(Object.is(back[0]!.share, -0)).toBe(true);
    expect(back.map((r) => Object.keys(r))).toEqual(rows.map((r) => Object.keys(r)));
    expect(JSON.stringify(back)).toBe(JSON.stringify(rows));
  });

  it('stores a repeated string once', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ instance: `i${i % 4}` }));
    const packed = packRows(many, []);
    if (packed.kind !== 'columns') throw new Error('expected columns');
    const col = packed.columns[0]!;
    if (col.type !== 'string') throw new Error('expected a string column');
    expect(col.text).toBe('i0i1i2i3');
    expect(unpackRows(packed)).toEqual(many);
  });

  it('sends rows as they are when keys differ in set or order, or a column mixes types', () => {
    const cases: object[][] = [
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: 1, b: 2 }, { a: 1 }],
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1 }, { a: '1' }],
      [{ a: 1 }, { a: undefined }],
      [{ a: { nested: true } }],
      [],
    ];
    for (const c of cases) {
      const transfer: ArrayBuffer[] = [];
      const packed = packRows(c, transfer);
      expect(packed.kind).toBe('rows');
      expect(transfer).toHaveLength(0);
      expect(unpackRows(packed)).toEqual(c);
    }
  });
});
