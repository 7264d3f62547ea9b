/** Format a number with thousands separators and fixed decimals. */
export function fmt(x: number | null | undefined, digits: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Relative change of `x` against `base`, as "+4.2%"; empty when undefined. */
export function relChange(x: number | null, base: number | null): string {
  if (x === null || base === null || !Number.isFinite(x) || !Number.isFinite(base) || base === 0) return '';
  const pct = ((x - base) / Math.abs(base)) * 100;
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}
