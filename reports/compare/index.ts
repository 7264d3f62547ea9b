export { compareReports, incompatibilities, relativePct, reportMetrics } from './compare.js';
export type { Comparison, CompareOptions, GateCheck, Sample, TestOutcome, Verdict } from './compare.js';
export {
  DEFAULT_ALPHA, DEFAULT_GATES, MIN_SEEDS_FOR_TEST, RULE_KINDS, describeLimit, gateRuleSchema, gatesSchema, mergeGates, parseGateFlag,
} from './gates.js';
export type { GateRule, Gates, RuleKind } from './gates.js';
export { mannWhitneyU } from './mann-whitney.js';
export { wilcoxonSignedRank } from './signed-rank.js';
export type { SignedRankResult } from './signed-rank.js';
export { pairBySeed, bootstrapMedianCi } from './paired.js';
export type { PairedChange } from './paired.js';
export type { Alternative, MannWhitneyResult } from './mann-whitney.js';
export { comparableReportSchema, parseComparableReport } from './report-schema.js';
export type { ComparableReport } from './report-schema.js';
export { HEADLINE_METRICS, metricDirection, metricUnit } from './direction.js';
export { comparisonMarkdown, comparisonText, failureLines, headline } from './format.js';
export type { FormatContext } from './format.js';
export { comparisonRows } from './rows.js';
export { comparisonJunit, xmlEscape } from './junit.js';
export { benchmarkJson } from './benchmark.js';
export type { BenchmarkEntry } from './benchmark.js';
