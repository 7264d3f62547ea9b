import { Interned } from '../../reports/interned.js';

/**
 * Rows of flat records (numbers, strings, booleans) packed as columns for `postMessage` between
 * a `run --jobs` worker and the main thread. Structured clone of an array of objects serialises
 * every key of every row; here a number column is one Float64Array, a boolean column one
 * Uint8Array, and a string column its distinct values joined into one string plus Int32Arrays of
 * their end offsets and of each row's value index; the typed arrays' buffers are transferred
 * (moved, not copied). Unpacking rebuilds rows with the same keys in the same order and the same
 * values (NaN, -0 and Infinity included), so the reports written from them are byte-identical to
 * an in-process run.
 *
 * Packing applies only when every row has exactly the first row's keys, in its order, and each
 * column holds one type; otherwise the rows travel as they are (`kind: 'rows'`): packing is an
 * optimisation and never changes what arrives.
 */
export type PackedRows<T> =
  | { readonly kind: 'rows'; readonly rows: readonly T[] }
  | { readonly kind: 'columns'; readonly length: number; readonly keys: readonly string[]; readonly columns: readonly Column[] };

type Column =
  | { readonly type: 'number'; readonly values: Float64Array }
  | { readonly type: 'boolean'; readonly values: Uint8Array }
  /** Distinct values joined in first-seen order (`ends`: where each ends) and each row's value index. */
  | { readonly type: 'string'; readonly text: string; readonly ends: Int32Array; readonly codes: Int32Array };

/** Pack `rows`; push the buffers to transfer onto `transfer`. */
export function packRows<T extends object>(rows: readonly T[], transfer: ArrayBuffer[]): PackedRows<T> {
  const first = rows[0];
  if (first === undefined) return { kind: 'rows', rows };
  const keys = Object.keys(first);
  if (!rows.every((r) => sameKeys(r, keys))) return { kind: 'rows', rows };
  const columns: Column[] = [];
  for (const k of keys) {
    const c = packColumn(rows as readonly Record<string, unknown>[], k);
    if (c === null) return { kind: 'rows', rows };
    columns.push(c);
  }
  for (const c of columns) {
    if (c.type === 'string') transfer.push(c.ends.buffer as ArrayBuffer, c.codes.buffer as ArrayBuffer);
    else transfer.push(c.values.buffer as ArrayBuffer);
  }
  return { kind: 'columns', length: rows.length, keys, columns };
}

/** The rows {@link packRows} packed. */
export function unpackRows<T>(p: PackedRows<T>): T[] {
  if (p.kind === 'rows') return p.rows as T[];
  const rows = new Array<Record<string, unknown>>(p.length);
  for (let i = 0; i < p.length; i++) rows[i] = {};
  // Column by column: every row gains the same keys in the same order (one hidden class), and
  // each pass reads one typed array front to back.
  for (let k = 0; k < p.keys.length; k++) {
    const key = p.keys[k]!;
    const c = p.columns[k]!;
    if (c.type === 'number') {
      const v = c.values;
      for (let i = 0; i < p.length; i++) rows[i]![key] = v[i];
    } else if (c.type === 'boolean') {
      const v = c.values;
      for (let i = 0; i < p.length; i++) rows[i]![key] = v[i] === 1;
    } else {
      const values = new Array<string>(c.ends.length);
      for (let d = 0; d < c.ends.length; d++) values[d] = c.text.slice(d === 0 ? 0 : c.ends[d - 1]!, c.ends[d]!);
      const codes = c.codes;
      for (let i = 0; i < p.length; i++) rows[i]![key] = values[codes[i]!];
    }
  }
  return rows as T[];
}

const MAX_JOINED_CHARS = 2 ** 28;

function sameKeys(row: object, keys: readonly string[]): boolean {
  let n = 0;
  for (const k in row) {
    if (!Object.prototype.hasOwnProperty.call(row, k)) continue;
    if (keys[n] !== k) return false;
    n++;
  }
  return n === keys.length;
}

// A column of one type, or null when its values mix types (or hold objects, undefined...).
function packColumn(rows: readonly Record<string, unknown>[], key: string): Column | null {
  const type = typeof rows[0]![key];
  if (type === 'number') {
    const values = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![key];
      if (typeof v !== 'number') return null;
      values[i] = v;
    }
    return { type, values };
  }
  if (type === 'boolean') {
    const values = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![key];
      if (typeof v !== 'boolean') return null;
      values[i] = v ? 1 : 0;
    }
    return { type, values };
  }
  if (type === 'string') {
    const codes = new Int32Array(rows.length);
    const dict = new Interned();
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![key];
      if (typeof v !== 'string') return null;
      codes[i] = dict.code(v);
    }
    const distinct = dict.values;
    const ends = new Int32Array(distinct.length);
    let at = 0;
    for (let d = 0; d < distinct.length; d++) ends[d] = at += distinct[d]!.length;
    // Past V8's string length limit (2^29 - 24 characters) join would throw: send the rows as they are.
    if (at > MAX_JOINED_CHARS) return null;
    return { type, text: distinct.join(''), ends, codes };
  }
  return null;
}
