import { writeFlagFile } from '../runner/out-path.js';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  benchmarkJson, compareReports, comparisonJunit, comparisonMarkdown, comparisonText, DEFAULT_GATES, incompatibilities,
  mergeGates, parseGateFlag, reportMetrics, type ComparableReport, type Comparison, type Gates, type FormatContext,
} from '../../reports/compare/index.js';
import { InputError } from '../../workloads/input-error.js';
import { unknownGateMetrics, wrongWayGates } from '../../reports/metric-names.js';
import { gateableMetrics } from '../scenario/gate-metrics.js';
import type { Scenario } from '../scenario/schema.js';

/** Gate flags shared by `compare` and `run --baseline`. */
export interface GateFlags {
  gate?: Gates;
  alpha?: number;
  force?: boolean;
  md?: string;
  junit?: string;
  githubSummary?: boolean;
  benchmark?: string;
  changedOnly?: boolean;
}

function collectGate(text: string, prev: Gates | undefined): Gates {
  const res = parseGateFlag(text);
  if ('error' in res) throw new InvalidArgumentError(res.error);
  return mergeGates(prev, { [res.metric]: res.rule });
}

function parseAlpha(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, found '${v}'`);
  return n;
}

/** Add the gate and output flags to a command. */
export function addGateOptions(cmd: Command): Command {
  return cmd
    .option('--gate <METRIC:KIND=VALUE>', 'a gate, e.g. makespanMsP99:maxIncreasePct=5 or ttftMsP99:max=800 (repeatable; overrides the scenario\'s gates for that metric)', collectGate)
    .option('--alpha <p>', 'significance level of the paired Wilcoxon signed-rank test over seeds (default 0.05)', parseAlpha)
    .option('--changed-only', 'show only the rows that moved (the Markdown always lists only failures and near misses)')
    .option('--force', 'compare even if the scenario hash or report schema differs; run: simulate cluster.kvBlocks beyond the GPU\'s memory')
    .option('--md <file>', 'write the comparison as Markdown')
    .option('--junit <file>', 'write JUnit XML (one test case per gate check)')
    .option('--github-summary', 'append the Markdown to $GITHUB_STEP_SUMMARY (done whenever it is set; this warns if it is not)')
    .option('--benchmark <dir>', 'write github-action-benchmark inputs (smaller-is-better.json, bigger-is-better.json)');
}

/** Refuse --gate metrics the scenario's runs will not emit (exit 2), before anything runs. */
export function checkGateFlags(sc: Scenario, flags: GateFlags): void {
  const problems = [
    ...unknownGateMetrics(Object.keys(flags.gate ?? {}), gateableMetrics(sc), (m) => `--gate ${m}`),
    ...wrongWayGates(flags.gate ?? {}, (m, kind) => `--gate ${m}:${kind}`),
  ];
  if (problems.length > 0) throw new InputError(problems);
}

/** The gates in force: the candidate's scenario gates overlaid by --gate flags, or the defaults. */
export function gatesInForce(cand: ComparableReport, flags: GateFlags): { gates: Gates; source: 'configured' | 'default' } {
  const merged = mergeGates(cand.scenario.gates, flags.gate ?? {});
  const metrics = reportMetrics(cand);
  if (Object.keys(merged).length === 0) {
    return { gates: Object.fromEntries(Object.entries(DEFAULT_GATES).filter(([m]) => metrics.includes(m))), source: 'default' };
  }
  const problems = [
    ...unknownGateMetrics(Object.keys(merged), metrics, (m) => (flags.gate?.[m] ? `--gate ${m}` : `scenario.gates.${m}`)),
    ...wrongWayGates(flags.gate ?? {}, (m, kind) => `--gate ${m}:${kind}`),
  ];
  if (problems.length > 0) throw new InputError(problems.map((p) => p.replace('valid gate metrics for this scenario', 'summary metrics of this report')));
  return { gates: merged, source: 'configured' };
}

/** Refuse reports that cannot be compared (exit 2), unless --force, which only warns. */
export function checkComparable(base: ComparableReport, cand: ComparableReport, flags: GateFlags, hint: string): void {
  const problems = incompatibilities(base, cand);
  if (problems.length === 0) return;
  if (flags.force) {
    for (const p of problems) process.stderr.write(`warning: ${p} (compared anyway: --force)\n`);
    return;
  }
  throw new InputError([...problems, `refusing to compare; pass --force to compare anyway, or ${hint}`]);
}

/** What gating produced: the comparison, its terminal text and its machine form. */
export interface GateResult {
  readonly comparison: Comparison;
  readonly text: string;
  readonly json: unknown;
}

/** Run the comparison and write every requested output file; the caller prints and sets the exit code. */
export function gateAndReport(
  base: ComparableReport | null, cand: ComparableReport, flags: GateFlags,
  ctx: FormatContext & { readonly defaultDir?: string | undefined },
): GateResult {
  const { gates, source } = gatesInForce(cand, flags);
  const c = compareReports(base, cand, { gates, gatesSource: source, alpha: flags.alpha, baseLabel: ctx.baseFile, candLabel: ctx.candFile });
  const metrics = reportMetrics(cand);
  const md = comparisonMarkdown(c, metrics, ctx);
  const mdFile = flags.md ?? (ctx.defaultDir ? join(ctx.defaultDir, 'gate.md') : undefined);
  const junitFile = flags.junit ?? (ctx.defaultDir ? join(ctx.defaultDir, 'junit.xml') : undefined);
  if (mdFile) writeFlagFile(flags.md !== undefined ? '--md' : '(run folder)', mdFile, md);
  if (junitFile) writeFlagFile(flags.junit !== undefined ? '--junit' : '(run folder)', junitFile, comparisonJunit(c));
  if (flags.benchmark) {
    const b = benchmarkJson(cand, Object.keys(gates));
    writeFlagFile('--benchmark', join(flags.benchmark, 'smaller-is-better.json'), `${JSON.stringify(b.smaller, null, 2)}\n`);
    writeFlagFile('--benchmark', join(flags.benchmark, 'bigger-is-better.json'), `${JSON.stringify(b.bigger, null, 2)}\n`);
  }
  // In GitHub Actions the job summary shows the table; --github-summary insists on it.
  const summaryFile = process.env['GITHUB_STEP_SUMMARY'];
  if (summaryFile) writeFlagFile('$GITHUB_STEP_SUMMARY', summaryFile, md, true);
  else if (flags.githubSummary) process.stderr.write('warning: --github-summary given but $GITHUB_STEP_SUMMARY is not set; summary not written\n');
  const json = {
    passed: c.passed, gates: c.gates, gatesSource: c.gatesSource, notes: c.notes,
    checks: c.checks.map((x) => ({
      workload: x.workload, policy: x.policy, metric: x.metric, kind: x.kind, limit: x.limit,
      base: x.base?.median ?? null, candidate: x.cand.median, changePct: x.changePct, // ±Infinity prints as null
      test: x.test, verdict: x.verdict, reason: x.reason,
    })),
    files: [mdFile, junitFile].filter(Boolean),
  };
  return { comparison: c, text: comparisonText(c, metrics, ctx, { changedOnly: flags.changedOnly === true }), json };
}
