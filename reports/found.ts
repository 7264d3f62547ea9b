/** Helpers that name what an input held, for "expected X, found Y" messages. */

/** The value at a key path inside parsed JSON/YAML, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A short description of a found value: `number -3`, `string "x"`, `a list`, `a mapping`. */
export function describeFound(v: unknown, objectWord = 'a mapping'): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return objectWord;
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 37)}...` : s}`;
}

/** A key path as people write it: `workloads[0].arrivals.ratePerSec`. */
export function pathLabel(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? String(k) : `.${String(k)}`;
  return s === '' ? '(top level)' : s;
}
