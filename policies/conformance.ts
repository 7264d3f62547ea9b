/**
 * Conformance checks as plain functions: the vitest suites (`*.suite.ts`) run them for every
 * registered policy, and `agentbench check-policy` runs the same ones for a user's module, so a
 * team's CI applies exactly the checks the built-in policies pass. No test framework here: the
 * package ships this code.
 */

/** One conformance check of a policy interface `P`. */
export interface ConformanceCheck<P, Skip extends string = string> {
  readonly title: string;
  /** When set, a policy may skip the check with a reason (the suite's `skip` option of this key). */
  readonly skippable?: Skip;
  /** Throws a ConformanceError saying what broke. */
  run(make: () => P): void;
}

/** A broken conformance property (what was expected, what was found). */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

/** Throw a ConformanceError with `message` unless `ok`. */
export function ensure(ok: boolean, message: string): asserts ok {
  if (!ok) throw new ConformanceError(message);
}

/** Throw unless two runs' traces are equal (determinism checks), naming the first difference. */
export function ensureSame<T>(a: readonly T[], b: readonly T[], what: string): void {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) throw new ConformanceError(`${what}: two runs with the same seed differ at step ${i}: ${String(a[i])} vs ${String(b[i])}`);
  }
}

/** Whether calling `fn` throws. */
export function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}
