/**
 * Non-negative least squares: argmin ‖A x − b‖² subject to x ≥ 0, by Lawson & Hanson's
 * active-set algorithm ("Solving Least Squares Problems", 1974, ch. 23). Columns are scaled to
 * unit norm internally so coefficients of very different magnitudes (efficiency scales near 1,
 * overheads in hundreds of µs) are treated alike. Sized for a handful of columns.
 */
export function nnls(A: readonly (readonly number[])[], b: readonly number[], maxIter = 500): number[] {
  const m = A.length;
  const n = m > 0 ? A[0]!.length : 0;
  const norms = new Array<number>(n).fill(0);
  for (const row of A) for (let j = 0; j < n; j++) norms[j]! += row[j]! * row[j]!;
  for (let j = 0; j < n; j++) norms[j] = norms[j]! > 0 ? Math.sqrt(norms[j]!) : 0;
  const col = (i: number, j: number): number => (norms[j]! > 0 ? A[i]![j]! / norms[j]! : 0);

  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const tol = 1e-10 * Math.max(1, Math.sqrt(b.reduce((a, v) => a + v * v, 0)));
  const gradient = (): number[] => {
    const r = b.map((bi, i) => bi - x.reduce((a, xj, j) => a + col(i, j) * xj, 0));
    return Array.from({ length: n }, (_, j) => (norms[j]! > 0 ? r.reduce((a, ri, i) => a + col(i, j) * ri, 0) : 0));
  };

  for (let iter = 0; iter < maxIter; iter++) {
    const w = gradient();
    let jMax = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j]! > tol && (jMax < 0 || w[j]! > w[jMax]!)) jMax = j;
    if (jMax < 0) break;
    passive[jMax] = true;
    for (let inner = 0; inner < maxIter; inner++) {
      const s = solvePassive(col, m, n, b, passive);
      if (passive.every((p, j) => !p || s[j]! > 0)) {
        for (let j = 0; j < n; j++) x[j] = s[j]!;
        break;
      }
      let alpha = Infinity;
      for (let j = 0; j < n; j++) {
        if (passive[j] && s[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - s[j]!));
      }
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * (s[j]! - x[j]!);
        if (passive[j] && x[j]! <= 1e-14) {
          passive[j] = false;
          x[j] = 0;
        }
      }
    }
  }
  return x.map((v, j) => (norms[j]! > 0 ? v / norms[j]! : 0));
}

// Unconstrained least squares on the passive columns (normal equations, partial pivoting).
function solvePassive(col: (i: number, j: number) => number, m: number, n: number, b: readonly number[], passive: readonly boolean[]): number[] {
  const idx: number[] = [];
  for (let j = 0; j < n; j++) if (passive[j]) idx.push(j);
  const k = idx.length;
  const M = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const ap = col(i, idx[p]!);
      for (let q = 0; q < k; q++) M[p]![q]! += ap * col(i, idx[q]!);
      M[p]![k]! += ap * b[i]!;
    }
  }
  // Tiny ridge keeps exactly collinear columns solvable; it does not move well-posed solutions.
  for (let p = 0; p < k; p++) M[p]![p]! += 1e-12;
  for (let p = 0; p < k; p++) {
    let piv = p;
    for (let r = p + 1; r < k; r++) if (Math.abs(M[r]![p]!) > Math.abs(M[piv]![p]!)) piv = r;
    [M[p], M[piv]] = [M[piv]!, M[p]!];
    const d = M[p]![p]!;
    for (let r = 0; r < k; r++) {
      if (r === p) continue;
      const f = M[r]![p]! / d;
      if (f === 0) continue;
      for (let c = p; c <= k; c++) M[r]![c]! -= f * M[p]![c]!;
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let p = 0; p < k; p++) s[idx[p]!] = M[p]![k]! / M[p]![p]!;
  return s;
}
