import type { z } from 'zod';

/**
 * For a union of a scalar and a mapping (a length `256` or `{ dist: ... }`, a gpu name or an
 * inline spec), zod reports "invalid input"; the useful message is the one of the branch that
 * matched the value's shape. Returns that branch's first issue (path made absolute), or the
 * issue itself.
 */
export function specificIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || (issue as { discriminator?: string }).discriminator !== undefined) return issue;
  const branch = issue.errors.find((errs) => errs.length > 0 && !errs.every((e) => e.code === 'invalid_type' && e.path.length === 0));
  if (!branch) return issue;
  return specificIssue({ ...branch[0]!, path: [...issue.path, ...branch[0]!.path] } as z.core.$ZodIssue);
}
