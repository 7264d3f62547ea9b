import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { SeededRng } from '../policies/rng.js';
import { csvHeader, csvRows, REQUEST_COLUMNS } from './csv.js';

describe('csvRows', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvRows([['a', 1, '', 'x,y', 'say "hi"', 'l1\nl2', 'c\r', -0.5, 1e21]]))
      .toBe('a,1,,"x,y","say ""hi""","l1\nl2","c\r",-0.5,1e+21\n');
    expect(csvRows([])).toBe('');
    expect(csvHeader(REQUEST_COLUMNS).startsWith('workload,policy,seed,id,')).toBe(true);
  });

  it('writes what csv-stringify wrote and csv-parse reads back, on random fields', () => {
    const rng = new SeededRng(3);
    const alphabet = ['a', 'Z', '0', ',', '"', '\n', '\r', ' ', '-', '=', 'é', ';', "'"];
    const rows: (string | number)[][] = [];
    for (let r = 0; r < 300; r++) {
      const row: (string | number)[] = [];
      const n = 1 + rng.int(6);
      for (let c = 0; c < n; c++) {
        if (rng.float() < 0.3) row.push(rng.int(2) === 0 ? rng.int(100000) : Math.round((rng.float() - 0.5) * 1e6) / 1e3);
        else row.push(Array.from({ length: rng.int(6) }, () => alphabet[rng.int(alphabet.length)]!).join(''));
      }
      rows.push(row);
    }
    const text = csvRows(rows);
    expect(text).toBe(stringify(rows));
    expect(parse(text, { relax_column_count: true })).toEqual(rows.map((row) => row.map(String)));
  });
});
