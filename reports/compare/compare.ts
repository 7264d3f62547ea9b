import { median } from 'simple-statistics';
import { DEFAULT_ALPHA, MIN_SEEDS_FOR_TEST, RULE_KINDS, describeLimit, type GateRule, type Gates, type RuleKind } from './gates.js';
import { mannWhitneyU } from './mann-whitney.js';
import type { ComparableReport } from './report-schema.js';
import { pairBySeed, type PairedChange } from './paired.js';
import { relativePct } from './relative.js';
import { wilcoxonSignedRank } from './signed-rank.js';

export { relativePct };

/** One side's per-seed values of a metric for one (workload, policy). */
export interface Sample {
  readonly values: readonly number[];
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** The same values by seed (pairs baseline and candidate runs of one seed). */
  readonly bySeed: ReadonlyMap<number, number>;
}

/** The statistical evidence behind a relative verdict. */
export type TestOutcome =
  | {
    readonly method: 'wilcoxon-signed-rank'; readonly pValue: number; readonly alpha: number;
    /** Seeds in both reports (pairs), and how many of them differ at all. */
    readonly pairs: number; readonly nonZero: number;
    /** Per-seed change in percent, by seed, and the 95% bootstrap interval of their median. */
    readonly seeds: readonly number[]; readonly changesPct: readonly number[]; readonly ciPct: readonly [number, number] | null;
  }
  | { readonly method: 'mann-whitney'; readonly pValue: number; readonly alpha: number; readonly exact: boolean; readonly reason: string }
  | { readonly method: 'threshold-only'; readonly reason: string };

/** How one gate came out for one (workload, policy). */
export type Verdict = 'pass' | 'fail' | 'noise' | 'skipped';

/** One gate (metric × limit) checked on one (workload, policy). */
export interface GateCheck {
  readonly workload: string;
  readonly policy: string;
  readonly metric: string;
  readonly kind: RuleKind;
  readonly limit: number;
  readonly base: Sample | null;
  readonly cand: Sample;
  /**
   * Candidate vs baseline in percent (±Infinity from a zero baseline); null without both: the
   * median of the per-seed changes when seeds pair, else the change of the medians.
   */
  readonly changePct: number | null;
  readonly test: TestOutcome | null;
  readonly verdict: Verdict;
  /** Why, in words (what rose by how much against which limit, and what the test said). */
  readonly reason: string;
}

/** What comparing (or gating) produced. */
export interface Comparison {
  readonly scenario: string;
  readonly baseLabel: string | null;
  readonly candLabel: string;
  readonly gates: Gates;
  readonly gatesSource: 'configured' | 'default';
  readonly checks: readonly GateCheck[];
  /** (workload, policy) pairs in both reports, in the candidate's order. */
  readonly cells: readonly { readonly workload: string; readonly policy: string }[];
  readonly samples: (side: 'base' | 'cand', workload: string, policy: string, metric: string) => Sample | null;
  readonly notes: readonly string[];
  readonly passed: boolean;
}

/** Options of a comparison. */
export interface CompareOptions {
  /** Gates to check; when empty, DEFAULT_GATES apply (relative limits need a baseline). */
  readonly gates: Gates;
  readonly gatesSource: 'configured' | 'default';
  readonly alpha?: number | undefined;
  readonly baseLabel?: string | undefined;
  readonly candLabel?: string | undefined;
}

/**
 * Why two reports cannot be compared: differing schema version or scenario hash, with the
 * visible differences (seeds, cluster, policies, workloads) named. Empty when they can.
 */
export function incompatibilities(base: ComparableReport, cand: ComparableReport): string[] {
  const out: string[] = [];
  if (base.schemaVersion !== cand.schemaVersion) {
    out.push(`report schemaVersion differs: baseline ${base.schemaVersion}, candidate ${cand.schemaVersion}`);
  }
  if (base.scenario.hash !== cand.scenario.hash) {
    const diffs: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    if (base.scenario.name !== cand.scenario.name) diffs.push(`name '${base.scenario.name}' vs '${cand.scenario.name}'`);
    if (base.scenario.mode !== cand.scenario.mode) diffs.push(`mode ${base.scenario.mode} vs ${cand.scenario.mode}`);
    if (!same(base.scenario.seeds, cand.scenario.seeds)) diffs.push(`seeds [${base.scenario.seeds.join(', ')}] vs [${cand.scenario.seeds.join(', ')}]`);
    for (const k of new Set([...Object.keys(base.cluster), ...Object.keys(cand.cluster)])) {
      if (!same(base.cluster[k], cand.cluster[k])) diffs.push(`cluster.${k} ${String(base.cluster[k])} vs ${String(cand.cluster[k])}`);
    }
    if (!same(base.policies, cand.policies)) diffs.push(`policies ${base.policies.map((p) => p.name).join(', ')} vs ${cand.policies.map((p) => p.name).join(', ')}${same(base.policies.map((p) => p.name), cand.policies.map((p) => p.name)) ? ' (settings differ)' : ''}`);
    if (!same(base.workloads, cand.workloads)) diffs.push(`workloads ${base.workloads.map((w) => w.name).join(', ')} vs ${cand.workloads.map((w) => w.name).join(', ')}`);
    out.push(`scenario hash differs: baseline ${base.scenario.hash.slice(0, 12)} (${base.scenario.name}), candidate ${cand.scenario.hash.slice(0, 12)} (${cand.scenario.name}); ${
      diffs.length > 0 ? `differences: ${diffs.join('; ')}` : 'a setting report.json does not record differs (e.g. a workload parameter or a default the tool changed)'}`);
  }
  return out;
}

/** Summary metric names that occur in a report's runs. */
export function reportMetrics(r: ComparableReport): string[] {
  const seen = new Set<string>();
  for (const run of r.runs) for (const k of Object.keys(run.summary)) seen.add(k);
  return [...seen];
}

function indexRuns(r: ComparableReport): Map<string, ComparableReport['runs'][number][]> {
  const m = new Map<string, ComparableReport['runs'][number][]>();
  for (const run of r.runs) {
    const k = `${run.workload}\u0000${run.policy}`;
    const g = m.get(k);
    if (g) g.push(run);
    else m.set(k, [run]);
  }
  return m;
}

function sampleOf(runs: readonly ComparableReport['runs'][number][], metric: string): Sample {
  const bySeed = new Map<number, number>();
  for (const r of runs) {
    const v = r.summary[metric];
    if (typeof v === 'number' && Number.isFinite(v)) bySeed.set(r.seed, v);
  }
  const values = [...bySeed.values()];
  if (values.length === 0) return { values, median: null, min: null, max: null, bySeed };
  return { values, median: median(values), min: Math.min(...values), max: Math.max(...values), bySeed };
}

const fmtNum = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
const fmtPct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%` : x > 0 ? '+∞%' : '−∞%');

/**
 * Check every gate on every (workload, policy) of the candidate against the baseline (null:
 * absolute limits only). Seeds pair: the same seed runs the same workflows on both sides, so a
 * relative limit is held against the median of the per-seed changes, and fails when that moved
 * past it and a one-sided exact Wilcoxon signed-rank test over the per-seed differences agrees
 * at α (5 of 5 seeds one way: p = 1/32). Only when fewer than MIN_SEEDS_FOR_TEST seeds pair
 * (the reports ran different seeds) does the unpaired Mann–Whitney U test stand in, saying so;
 * with fewer seeds than that on a side the threshold alone decides (and the check says so).
 */
export function compareReports(base: ComparableReport | null, cand: ComparableReport, opts: CompareOptions): Comparison {
  const baseRuns = base ? indexRuns(base) : new Map<string, ComparableReport['runs'][number][]>();
  const candRuns = indexRuns(cand);
  const checks: GateCheck[] = [];
  const notes: string[] = [];
  const cells: { workload: string; policy: string }[] = [];
  const keys = [...candRuns.keys(), ...[...baseRuns.keys()].filter((k) => !candRuns.has(k))];
  for (const key of keys) {
    const [workload, policy] = key.split('\u0000') as [string, string];
    const bRuns = baseRuns.get(key);
    const cRuns = candRuns.get(key);
    if (base && !bRuns) notes.push(`${workload} × ${policy} is new in the candidate: relative gates skipped`);
    if (!cRuns) notes.push(`${workload} × ${policy} is in the baseline but missing from the candidate`);
    if (bRuns && cRuns) cells.push({ workload, policy });
    for (const [metric, rule] of Object.entries(opts.gates)) {
      for (const kind of RULE_KINDS) {
        const limit = rule[kind];
        if (limit === undefined) continue;
        const b = base && bRuns ? sampleOf(bRuns, metric) : null;
        const c = sampleOf(cRuns ?? [], metric);
        checks.push(checkOne({ workload, policy, metric, kind, limit, rule, b, c, hasBase: base !== null, missing: !cRuns, alpha: opts.alpha }));
      }
    }
  }
  if (checks.some((c) => c.test?.method === 'threshold-only')) {
    notes.push(`fewer than ${MIN_SEEDS_FOR_TEST} seeds on a side: relative gates use the threshold alone, without a statistical test`);
  }
  if (!base && checks.some((c) => c.verdict === 'skipped')) notes.push('no baseline: relative limits skipped (give one with --baseline)');
  if (opts.gatesSource === 'default') notes.push('no gates configured (scenario `gates:` or --gate): default gates used');
  const samples = (side: 'base' | 'cand', workload: string, policy: string, metric: string): Sample | null => {
    const runs = (side === 'base' ? baseRuns : candRuns).get(`${workload}\u0000${policy}`);
    return runs ? sampleOf(runs, metric) : null;
  };
  return {
    scenario: cand.scenario.name,
    baseLabel: base ? (opts.baseLabel ?? 'baseline') : null,
    candLabel: opts.candLabel ?? 'candidate',
    gates: opts.gates,
    gatesSource: opts.gatesSource,
    checks,
    cells,
    samples,
    notes,
    passed: checks.every((c) => c.verdict !== 'fail'),
  };
}

interface CheckInput {
  workload: string; policy: string; metric: string; kind: RuleKind; limit: number; rule: GateRule;
  b: Sample | null; c: Sample; hasBase: boolean; missing: boolean; alpha: number | undefined;
}

function checkOne(x: CheckInput): GateCheck {
  const { kind, limit, b, c, metric } = x;
  const head = { workload: x.workload, policy: x.policy, metric, kind, limit, base: b, cand: c };
  const what = `${metric} ${describeLimit(kind, limit)}`;
  if (x.missing) return { ...head, changePct: null, test: null, verdict: 'fail', reason: `${what}: no runs of this workload × policy in the candidate` };
  const changePct = b?.median != null && c.median !== null ? relativePct(c.median, b.median) : null;

  if (kind === 'max' || kind === 'min') {
    if (c.median === null) return { ...head, changePct, test: null, verdict: 'fail', reason: `${what}: undefined (null) in every seed of the candidate` };
    const bad = kind === 'max' ? c.median > limit : c.median < limit;
    return {
      ...head, changePct, test: null, verdict: bad ? 'fail' : 'pass',
      reason: `${metric} median ${fmtNum(c.median)} ${bad ? (kind === 'max' ? '>' : '<') : (kind === 'max' ? '≤' : '≥')} ${kind} ${limit}`,
    };
  }

  if (!x.hasBase) return { ...head, changePct, test: null, verdict: 'skipped', reason: `${what}: no baseline to compare against` };
  if (!b) return { ...head, changePct, test: null, verdict: 'skipped', reason: `${what}: not in the baseline` };
  if (b.median === null && c.median === null) return { ...head, changePct, test: null, verdict: 'pass', reason: `${metric} undefined in both` };
  if (b.median === null) return { ...head, changePct, test: null, verdict: 'pass', reason: `${metric} undefined in the baseline, ${fmtNum(c.median!)} now` };
  if (c.median === null) return { ...head, changePct, test: null, verdict: 'fail', reason: `${metric} was ${fmtNum(b.median)}, now undefined (null) in every seed` };

  const up = kind === 'maxIncreasePct';
  const alpha = x.rule.alpha ?? x.alpha ?? DEFAULT_ALPHA;
  const paired = pairBySeed(b.bySeed, c.bySeed);
  const test = relativeTest(paired, b, c, up, alpha);
  const change = test.method === 'wilcoxon-signed-rank' ? paired.medianPct : changePct!;
  const moved = up ? change : -change;
  const exceeded = moved > limit;
  const word = change === 0 ? 'unchanged' : `${change > 0 ? 'rose' : 'fell'} ${fmtPct(change).replace(/^[+−]/, '')}`;
  const limitText = `limit: ${up ? 'rise' : 'drop'} ≤ ${limit}%`;
  const perSeed = test.method === 'wilcoxon-signed-rank' ? `; per seed ${perSeedText(paired)} (median of ${paired.seeds.length} pairs${ciText(paired)})` : '';
  const what2 = `${metric} ${word} (${fmtNum(b.median)} → ${fmtNum(c.median)}; ${limitText})${perSeed}`;
  const head2 = { ...head, changePct: change, test };
  if (test.method === 'threshold-only') {
    return { ...head2, verdict: exceeded ? 'fail' : 'pass', reason: `${what2}; ${test.reason}` };
  }
  const p = test.method === 'wilcoxon-signed-rank'
    ? `paired Wilcoxon signed-rank p = ${fmtP(test.pValue)} (${test.nonZero} of ${test.pairs} seeds moved, one-sided, exact)`
    : `unpaired Mann–Whitney p = ${fmtP(test.pValue)} (${test.reason})`;
  if (!exceeded) return { ...head2, verdict: 'pass', reason: `${what2}; ${p}` };
  if (test.pValue < alpha) return { ...head2, verdict: 'fail', reason: `${what2}; ${p} < α ${alpha}` };
  return { ...head2, verdict: 'noise', reason: `${what2}, but ${p} ≥ α ${alpha}: within seed noise` };
}

/** The paired test when enough seeds pair; else the unpaired test; else none. */
function relativeTest(paired: PairedChange, b: Sample, c: Sample, up: boolean, alpha: number): TestOutcome {
  if (paired.seeds.length >= MIN_SEEDS_FOR_TEST) {
    const r = wilcoxonSignedRank(paired.cand, paired.base, up ? 'greater' : 'less');
    return {
      method: 'wilcoxon-signed-rank', pValue: r.pValue, alpha, pairs: paired.seeds.length, nonZero: r.n,
      seeds: paired.seeds, changesPct: paired.changesPct, ciPct: paired.ciPct,
    };
  }
  if (b.values.length >= MIN_SEEDS_FOR_TEST && c.values.length >= MIN_SEEDS_FOR_TEST) {
    const r = mannWhitneyU(c.values, b.values, up ? 'greater' : 'less');
    return {
      method: 'mann-whitney', pValue: r.pValue, alpha, exact: r.method === 'exact',
      reason: `only ${paired.seeds.length} seed(s) in both reports, so ${b.values.length} vs ${c.values.length} seeds compared unpaired`,
    };
  }
  return { method: 'threshold-only', reason: `${Math.min(b.values.length, c.values.length)} seed(s), fewer than ${MIN_SEEDS_FOR_TEST}: threshold alone, no test` };
}

const fmtP = (p: number): string => (p >= 0.001 ? p.toPrecision(2) : p.toExponential(1));

function perSeedText(p: PairedChange): string {
  const finite = p.changesPct.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const lo = Math.min(...p.changesPct);
  const hi = Math.max(...p.changesPct);
  return fmtPct(lo) === fmtPct(hi) ? `all ${fmtPct(lo)}` : `${fmtPct(lo)} to ${fmtPct(hi)}`;
}

function ciText(p: PairedChange): string {
  if (!p.ciPct) return '';
  const [lo, hi] = p.ciPct.map(fmtPct);
  return lo === hi ? '' : `, 95% bootstrap CI of the median ${lo} to ${hi}`;
}
