import type { Comparison } from './compare.js';
import { comparisonRows, verdictLabel } from './rows.js';

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

/** The comparison as Markdown (for a PR comment, $GITHUB_STEP_SUMMARY or a file). */
export function comparisonMarkdown(c: Comparison, candMetrics: readonly string[], ctx: FormatContext = {}): string {
  const rows = comparisonRows(c, candMetrics);
  const out: string[] = [`## agentbench gate: ${c.scenario} — ${c.passed ? '✅' : '❌'} ${headline(c)}`, ''];
  if (c.baseLabel !== null) out.push(`Baseline \`${ctx.baseFile ?? c.baseLabel}\` → candidate \`${ctx.candFile ?? c.candLabel}\`. Cells: median across seeds [min–max].`, '');
  else out.push(`No baseline: absolute limits only (\`${ctx.candFile ?? c.candLabel}\`). Cells: median across seeds [min–max].`, '');
  const fails = failureLines(c);
  if (fails.length > 0) {
    out.push('### Why it failed', '', ...fails.map((f) => `- ${esc(f)}`), '');
    if (ctx.refreshHint) out.push(`If this change is intended, refresh the baseline and commit it: \`${ctx.refreshHint}\``, '');
  }
  if (c.notes.length > 0) out.push(...c.notes.map((n) => `> ${n}`), '');
  for (const w of unique(rows.map((r) => r.workload))) {
    out.push(`### Workload \`${w}\``, '', '| policy | metric | baseline | candidate | change | limits | p | verdict |', '|---|---|---:|---:|---:|---|---:|---|');
    for (const r of rows.filter((x) => x.workload === w)) {
      out.push(`| ${esc(r.policy)} | ${r.metric} | ${r.base} | ${r.cand} | ${r.change} | ${esc(r.limits)} | ${r.p} | ${verdictLabel(r.verdict)} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** The comparison as aligned plain text for a terminal. */
export function comparisonText(c: Comparison, candMetrics: readonly string[], ctx: FormatContext = {}): string {
  const rows = comparisonRows(c, candMetrics);
  const out: string[] = [];
  for (const w of unique(rows.map((r) => r.workload))) {
    const table: string[][] = [['policy', 'metric', c.baseLabel !== null ? 'baseline' : '', 'candidate', 'change', 'p', 'verdict']];
    // Without a baseline only the absolute limits say anything.
    for (const r of rows.filter((x) => x.workload === w && (c.baseLabel !== null || ['pass', 'fail'].includes(x.verdict)))) table.push([r.policy, r.metric, c.baseLabel !== null ? r.base : '', r.cand, r.change, r.p, r.verdict]);
    out.push(`${w}:`, ...align(table).map((l) => `  ${l}`), '');
  }
  for (const n of c.notes) out.push(`note: ${n}`);
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
