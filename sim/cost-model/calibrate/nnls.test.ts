import { describe, expect, test } from 'vitest';
import { nnls } from './nnls.js';

describe('nnls', () => {
  test('returns the least-squares solution when it is non-negative', () => {
    // y = 2a + 3b exactly.
    const A = [[1, 0], [0, 1], [1, 1], [2, 1]];
    const x = nnls(A, A.map(([a, b]) => 2 * a! + 3 * b!));
    expect(x[0]).toBeCloseTo(2, 9);
    expect(x[1]).toBeCloseTo(3, 9);
  });

  test('clamps a coefficient the unconstrained solution would make negative', () => {
    // Unconstrained: x = (1.5, -0.5); constrained optimum keeps only the first column.
    const A = [[1, 1], [1, 2], [1, 3]];
    const b = [1, 0.5, 0];
    const x = nnls(A, b);
    expect(x[1]).toBe(0);
    // With x2 = 0: minimise Σ(x1 − b)² → x1 = mean(b) = 0.5.
    expect(x[0]).toBeCloseTo(0.5, 9);
  });

  test('handles columns of very different scales and an all-zero column', () => {
    const A = [[1e-6, 1000, 0], [2e-6, 1, 0], [3e-6, 500, 0], [4e-6, 10, 0]];
    const x = nnls(A, A.map((r) => 5e5 * r[0]! + 0.002 * r[1]!));
    expect(x[0]).toBeCloseTo(5e5, 3);
    expect(x[1]).toBeCloseTo(0.002, 9);
    expect(x[2]).toBe(0);
  });
});
