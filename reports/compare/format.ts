import type { Comparison } from './compare.js';
import type { GateCheck } from './compare.js';
import { describeLimit } from './gates.js';
import { comparisonRows } from './rows.js';
import { isNearMiss, limitUsed, NEAR_MISS_SHARE } from './triage.js';

/** Where the reports came from and how to accept a change on purpose. */
export interface FormatContext {
  readonly baseFile?: string | undefined;
  readonly candFile?: string | undefined;
  /** A command that refreshes the baseline, shown when the gate fails. */
  readonly refreshHint?: string | undefined;
}

/** One line saying whether the gate passed and how many checks failed. */
export function headline(c: Comparison): string {
  const failed = c.checks.filter((x) => x.verdict === 'fail').length;
  const noise = c.checks.filter((x) => x.verdict === 'noise').length;
  const skipped = c.checks.filter((x) => x.verdict === 'skipped').length;
  const extra = [noise ? `${noise} within noise` : '', skipped ? `${skipped} skipped` : ''].filter(Boolean).join(', ');
  return c.passed
    ? `PASS: ${c.checks.length - skipped} gate check(s) passed${extra ? ` (${extra})` : ''}`
    : `FAIL: ${failed} of ${c.checks.length} gate check(s) failed${extra ? ` (${extra})` : ''}`;
}

/** The failed checks, one line each, saying what moved, by how much, against which limit. */
export function failureLines(c: Comparison): string[] {
  return c.checks.filter((x) => x.verdict === 'fail').map((x) => `${x.workload} × ${x.policy}: ${x.reason}`);
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** How a comparison's verdicts were reached, in one sentence (states the test and its α). */
export function methodLine(c: Comparison): string {
  const methods = new Set(c.checks.map((x) => x.test?.method).filter((m) => m !== undefined));
  const parts: string[] = [];
  const alpha = c.checks.find((x) => x.test && 'alpha' in x.test)?.test;
  const a = alpha && 'alpha' in alpha ? alpha.alpha : undefined;
  if (methods.has('wilcoxon-signed-rank')) {
    parts.push(`a relative limit fails when the median per-seed change (baseline and candidate paired by seed) passes it and a one-sided exact Wilcoxon signed-rank test over the per-seed differences agrees (p < α${a !== undefined ? ` ${a}` : ''}; 5 of 5 seeds one way gives p = 1/32)`);
  }
  if (methods.has('mann-whitney')) parts.push('where seeds do not pair, an unpaired one-sided Mann–Whitney U test stands in');
  if (methods.has('threshold-only')) parts.push('with fewer than 5 seeds the threshold alone decides');
  if (c.checks.some((x) => x.kind === 'max' || x.kind === 'min')) parts.push('absolute limits (max, min) hold the candidate median');
  return parts.length > 0 ? `How: ${parts.join('; ')}.` : '';
}

/**
 * The comparison as short Markdown (a PR comment, $GITHUB_STEP_SUMMARY, a file): failures and
 * near misses in full, passes summarised per gated metric, whatever the number of policies.
 */
export function comparisonMarkdown(c: Comparison, _candMetrics: readonly string[], ctx: FormatContext = {}): string {
  const out: string[] = [`## agentbench gate: ${c.scenario} — ${c.passed ? '✅' : '❌'} ${headline(c)}`, ''];
  if (c.baseLabel !== null) out.push(`Baseline \`${ctx.baseFile ?? c.baseLabel}\` → candidate \`${ctx.candFile ?? c.candLabel}\`.`, '');
  else out.push(`No baseline: absolute limits only (\`${ctx.candFile ?? c.candLabel}\`).`, '');
  const how = methodLine(c);
  if (how) out.push(how, '');
  const fails = failureLines(c);
  if (fails.length > 0) {
    out.push('### Why it failed', '', ...fails.map((f) => `- ${esc(f)}`), '');
    if (ctx.refreshHint) out.push(`If this change is intended, refresh the baseline and commit it: \`${ctx.refreshHint}\``, '');
  }
  const near = c.checks.filter(isNearMiss);
  if (near.length > 0) {
    out.push(`### Near misses (within seed noise, or ≥ ${NEAR_MISS_SHARE * 100}% of the limit used)`, '');
    out.push(...near.map((x) => `- ${esc(`${x.workload} × ${x.policy}: ${x.verdict === 'noise' ? 'within noise' : `${Math.round(limitUsed(x)! * 100)}% of the limit`}: ${x.reason}`)}`), '');
  }
  const summary = passSummary(c);
  if (summary.length > 0) {
    out.push('### Passed', '', '| metric | limit | checks passed | largest move toward worse | where |', '|---|---|---:|---:|---|', ...summary, '');
  }
  if (c.notes.length > 0) out.push(...c.notes.map((n) => `> ${n}`), '');
  out.push('Every check with its per-seed values: `agentbench compare BASE CAND --json`; only those that moved: `--changed-only`.', '');
  return `${out.join('\n')}\n`;
}

/** One row per gated metric and limit: how many (workload, policy) passed and the largest move toward worse. */
function passSummary(c: Comparison): string[] {
  const groups = new Map<string, GateCheck[]>();
  for (const x of c.checks) {
    if (x.verdict !== 'pass') continue;
    const k = `${x.metric}\u0000${x.kind}\u0000${x.limit}`;
    groups.set(k, [...(groups.get(k) ?? []), x]);
  }
  return [...groups.values()].map((xs) => {
    const x0 = xs[0]!;
    const rel = xs.filter((x) => limitUsed(x) !== null);
    const worst = rel.length > 0 ? rel.reduce((w, x) => (limitUsed(x)! > limitUsed(w)! ? x : w)) : null;
    const move = worst && limitUsed(worst)! > 0 ? pctText(worst.changePct) : '–';
    const where = worst && limitUsed(worst)! > 0 ? esc(`${worst.workload} × ${worst.policy}`) : '';
    return `| ${x0.metric} | ${esc(describeLimit(x0.kind, x0.limit))} | ${xs.length} | ${move} | ${where} |`;
  });
}

function pctText(x: number | null): string {
  if (x === null) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '+∞%' : '−∞%';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`;
}

/** The comparison as aligned plain text for a terminal. */
export function comparisonText(c: Comparison, candMetrics: readonly string[], ctx: FormatContext = {}, opts: { changedOnly?: boolean } = {}): string {
  const all = comparisonRows(c, candMetrics);
  const rows = opts.changedOnly ? all.filter((r) => r.moved) : all;
  const out: string[] = [];
  for (const w of unique(rows.map((r) => r.workload))) {
    const table: string[][] = [['policy', 'metric', c.baseLabel !== null ? 'baseline' : '', 'candidate', 'change', 'p', 'verdict']];
    // Without a baseline only the absolute limits say anything.
    for (const r of rows.filter((x) => x.workload === w && (c.baseLabel !== null || ['pass', 'fail'].includes(x.verdict)))) table.push([r.policy, r.metric, c.baseLabel !== null ? r.base : '', r.cand, r.change, r.p, r.verdict]);
    out.push(`${w}:`, ...align(table).map((l) => `  ${l}`), '');
  }
  if (opts.changedOnly) out.push(`(--changed-only: ${all.length - rows.length} of ${all.length} rows that did not move are not shown)`);
  for (const n of c.notes) out.push(`note: ${n}`);
  const how = methodLine(c);
  if (how) out.push(how);
  out.push(`gate ${headline(c)}`);
  for (const f of failureLines(c)) out.push(`  - ${f}`);
  if (!c.passed && ctx.refreshHint) out.push(`If this change is intended, refresh the baseline and commit it: ${ctx.refreshHint}`);
  return `${out.join('\n')}\n`;
}

function align(table: readonly string[][]): string[] {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => [...r[i]!].length)));
  return table.map((r) => r.map((cell, i) => (i < 2 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
