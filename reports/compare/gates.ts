import { z } from 'zod';

/**
 * Seeds (pairs, or per side when unpaired) from which a statistical test must agree before a
 * relative limit fails: with 5 pairs the smallest one-sided signed-rank p is 1/32 < 0.05; with
 * 4 it is 1/16, so no test could ever confirm a regression and the threshold decides alone.
 */
export const MIN_SEEDS_FOR_TEST = 5;
/** Significance level of the regression test unless a gate or --alpha says otherwise. */
export const DEFAULT_ALPHA = 0.05;

/** The limits a rule can set. */
export type RuleKind = 'maxIncreasePct' | 'maxDecreasePct' | 'max' | 'min';
/** Every limit kind, in evaluation order. */
export const RULE_KINDS: readonly RuleKind[] = ['maxIncreasePct', 'maxDecreasePct', 'max', 'min'];

const pct = z.number().nonnegative();

/**
 * One metric's gate: relative limits against a baseline (per (workload, policy), on the median
 * across seeds), absolute limits on the candidate's median (SLOs), and the test's α.
 */
export const gateRuleSchema = z.strictObject({
  /** Fail when the median rises more than this many percent above the baseline's. */
  maxIncreasePct: pct.optional(),
  /** Fail when the median falls more than this many percent below the baseline's. */
  maxDecreasePct: pct.optional(),
  /** Fail when the candidate's median is above this (an SLO, no baseline needed). */
  max: z.number().optional(),
  /** Fail when the candidate's median is below this. */
  min: z.number().optional(),
  /** Significance level of the paired Wilcoxon signed-rank test (or, unpaired, Mann–Whitney) for this metric. */
  alpha: z.number().gt(0).lt(1).optional(),
}).refine((r) => RULE_KINDS.some((k) => r[k] !== undefined), {
  message: 'expected at least one of maxIncreasePct, maxDecreasePct, max, min',
  when: (payload) => payload.issues.length === 0, // an unknown key already says what is wrong
});

/** The scenario's `gates:` key: summary metric name → rule. */
export const gatesSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a summary metric name such as makespanMsP99'),
  gateRuleSchema,
);

/** One metric's gate. */
export type GateRule = z.output<typeof gateRuleSchema>;
/** Gates by metric name. */
export type Gates = Readonly<Record<string, GateRule>>;

/**
 * Gates used when neither the scenario nor the command line sets any: the headline results may
 * not get worse by more than a few percent.
 */
export const DEFAULT_GATES: Gates = {
  makespanMsP50: { maxIncreasePct: 5 },
  makespanMsP99: { maxIncreasePct: 5 },
  ttftMsP99: { maxIncreasePct: 10 },
  throughputRps: { maxDecreasePct: 5 },
  workflowsCompleted: { maxDecreasePct: 0 },
};

/**
 * Parse a command-line gate: `METRIC:KIND=VALUE[,KIND=VALUE...]`, e.g.
 * `makespanMsP99:maxIncreasePct=5` or `ttftMsP99:max=800,alpha=0.01`. Returns the metric and
 * rule, or a message saying what is wrong.
 */
export function parseGateFlag(text: string): { metric: string; rule: GateRule } | { error: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) return { error: `gate '${text}': expected METRIC:KIND=VALUE, e.g. makespanMsP99:maxIncreasePct=5` };
  const metric = text.slice(0, colon);
  const raw: Record<string, number> = {};
  for (const part of text.slice(colon + 1).split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = Number(part.slice(eq + 1));
    if (eq <= 0 || part.slice(eq + 1).trim() === '' || !Number.isFinite(value)) {
      return { error: `gate '${text}': expected KIND=NUMBER, found '${part}'` };
    }
    raw[key] = value;
  }
  const parsed = z.object({ metric: gatesSchema.keyType, rule: gateRuleSchema }).safeParse({ metric, rule: raw });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const valid = 'valid kinds: maxIncreasePct, maxDecreasePct, max, min, alpha';
    const what = issue.code === 'unrecognized_keys' ? `unknown kind ${issue.keys.map((k) => `'${k}'`).join(', ')}; ${valid}` : issue.message;
    return { error: `gate '${text}': ${issue.path.filter((p) => p !== 'rule').join('.') || 'rule'}: ${what}` };
  }
  return { metric, rule: parsed.data.rule };
}

/** Scenario gates overlaid by command-line gates (a command-line metric's keys win). */
export function mergeGates(scenario: Gates | undefined, cli: Gates): Gates {
  const out: Record<string, GateRule> = { ...(scenario ?? {}) };
  for (const [metric, rule] of Object.entries(cli)) out[metric] = { ...(out[metric] ?? {}), ...rule };
  return out;
}

/** Human text of one limit, e.g. "+5% max increase" or "≤ 800". */
export function describeLimit(kind: RuleKind, limit: number): string {
  switch (kind) {
    case 'maxIncreasePct': return `rise ≤ ${limit}%`;
    case 'maxDecreasePct': return `drop ≤ ${limit}%`;
    case 'max': return `≤ ${limit}`;
    case 'min': return `≥ ${limit}`;
  }
}
