import type { Rng } from '../policies/types.js';

// Rejection-inversion sampling of a bounded Zipf law, W. Hörmann and G. Derflinger, "Rejection-
// inversion to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996;
// the same algorithm as Apache Commons RNG's RejectionInversionZipfSampler. O(1) memory and
// expected time for any support size, so a large `max` costs nothing.

// log1p(x)/x, stable near 0.
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

// expm1(x)/x, stable near 0.
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + 0.25 * x));
}

/** Draws k in [1, n] with P(k) ∝ k^-s (s > 0). */
export function zipfSampler(n: number, s: number): (rng: Rng) => number {
  if (!(n >= 1 && Number.isInteger(n))) throw new RangeError(`zipf: n must be a positive integer, got ${n}`);
  if (!(s > 0)) throw new RangeError(`zipf: s must be > 0, got ${s}`);
  const h = (x: number): number => Math.exp(-s * Math.log(x));
  // ∫ x^-s dx, written so that s = 1 is not a special case.
  const hIntegral = (x: number): number => {
    const logX = Math.log(x);
    return helper2((1 - s) * logX) * logX;
  };
  const hIntegralInverse = (x: number): number => {
    let t = x * (1 - s);
    if (t < -1) t = -1; // numerical safety: the inverse is only evaluated inside its domain
    return Math.exp(helper1(t) * x);
  };
  const hX1 = hIntegral(1.5) - 1;
  const hN = hIntegral(n + 0.5);
  const squeeze = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
  return (rng) => {
    for (;;) {
      const u = hN + rng.float() * (hX1 - hN);
      const x = hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) return k;
    }
  };
}

/** Mean and variance of the bounded Zipf law on [1, n] with exponent s (exact sums). */
export function zipfMoments(n: number, s: number): { mean: number; variance: number } {
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  for (let k = 1; k <= n; k++) {
    const p = Math.pow(k, -s);
    z += p;
    m1 += k * p;
    m2 += k * k * p;
  }
  const mean = m1 / z;
  return { mean, variance: m2 / z - mean * mean };
}
