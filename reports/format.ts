/**
 * Format a number with thousands separators and fixed decimals, exactly as
 * `x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })`
 * does (format.test.ts checks them against each other), without ICU: the first
 * `toLocaleString` with options loads ICU's number data (~15 ms of every run's console summary,
 * docs/performance.md) and each later call builds a formatter (~35 µs). ICU rounds the shortest
 * decimal that reads back as `x` (what `String(x)` prints), half away from zero: 1.005 → "1.01",
 * where `toFixed`, rounding the binary value 1.00499…, gives "1.00".
 */
export function fmt(x: number | null | undefined, digits: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  // ICU prints a minus for every negative value, -0 and those rounding to zero included.
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { whole, fraction } = roundShortest(Math.abs(x), digits);
  return sign + groupThousands(whole) + (digits > 0 ? `.${fraction}` : '');
}

// `v`'s shortest round-trip decimal rounded half away from zero to `digits` decimals, as
// decimal strings (no sign, no separators).
function roundShortest(v: number, digits: number): { whole: string; fraction: string } {
  let s = String(v); // "1234.5", "5e-7", "1.2e+21"
  let exp10 = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    exp10 = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  // The value is 0.d₁d₂… × 10^point: `point` digits of `ds` lie before the decimal point.
  let ds = dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1);
  let point = (dot < 0 ? s.length : dot) + exp10;
  if (point < 1) {
    ds = '0'.repeat(1 - point) + ds;
    point = 1;
  }
  const keep = point + digits;
  if (ds.length <= keep) {
    ds = ds.padEnd(keep, '0');
  } else {
    const up = ds.charCodeAt(keep) >= 53; // '5'
    ds = ds.slice(0, keep);
    if (up) {
      ds = incrementDecimal(ds);
      if (ds.length > keep) point++;
    }
  }
  const whole = ds.slice(0, point).replace(/^0+(?=\d)/, '');
  return { whole, fraction: ds.slice(point) };
}

// "1299" → "1300", "99" → "100".
function incrementDecimal(ds: string): string {
  let i = ds.length - 1;
  while (i >= 0 && ds[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(ds.length)}`;
  return ds.slice(0, i) + String.fromCharCode(ds.charCodeAt(i) + 1) + '0'.repeat(ds.length - 1 - i);
}

// "1234567" → "1,234,567".
function groupThousands(whole: string): string {
  if (whole.length <= 3) return whole;
  const head = whole.length % 3 || 3;
  let out = whole.slice(0, head);
  for (let i = head; i < whole.length; i += 3) out += `,${whole.slice(i, i + 3)}`;
  return out;
}

/** Relative change of `x` against `base`, as "+4.2%"; empty when undefined. */
export function relChange(x: number | null, base: number | null): string {
  if (x === null || base === null || !Number.isFinite(x) || !Number.isFinite(base) || base === 0) return '';
  const pct = ((x - base) / Math.abs(base)) * 100;
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}
