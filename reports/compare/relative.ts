/** (x − base) / |base| in percent; ±Infinity when base is 0 and x is not. */
export function relativePct(x: number, base: number): number {
  if (base === 0) return x === 0 ? 0 : x > 0 ? Infinity : -Infinity;
  return ((x - base) / Math.abs(base)) * 100;
}
