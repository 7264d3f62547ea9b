import { fmt } from '../markdown.js';
import type { Comparison, GateCheck, Sample } from './compare.js';
import { relativePct } from './compare.js';
import { HEADLINE_METRICS, metricDirection } from './direction.js';
import { describeLimit } from './gates.js';
import { moved } from './triage.js';

/** One line of a comparison table: one metric of one (workload, policy). */
export interface ComparisonRow {
  readonly workload: string;
  readonly policy: string;
  readonly metric: string;
  readonly base: string;
  readonly cand: string;
  readonly change: string;
  readonly limits: string;
  readonly p: string;
  /** fail | noise | pass | skipped for gated metrics; better | worse | same | – otherwise. */
  readonly verdict: string;
  /** Whether the row moved (a non-zero change at one decimal, or a failed check). */
  readonly moved: boolean;
}

/** Glyph + word of a verdict, for tables people read. */
export function verdictLabel(v: string): string {
  const glyph: Record<string, string> = { fail: '❌', noise: '〰️', pass: '✅', skipped: '⏭️', better: '▲', worse: '▼', same: '=' };
  return glyph[v] ? `${glyph[v]} ${v}` : v;
}

function digitsFor(metric: string, x: number | null, values: readonly number[]): number {
  if (x === null || values.every(Number.isInteger)) return 0;
  if (/Rate$|Usage|Affinity|Cov$/.test(metric)) return 3;
  const a = Math.abs(x);
  return a >= 1000 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
}

/** "median [min–max]" of a sample. */
export function sampleText(metric: string, s: Sample | null): string {
  if (!s || s.median === null) return '–';
  const d = digitsFor(metric, s.median, s.values);
  return s.values.length > 1 && s.min !== s.max ? `${fmt(s.median, d)} [${fmt(s.min, d)}–${fmt(s.max, d)}]` : fmt(s.median, d);
}

function pctText(x: number | null): string {
  if (x === null) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '+∞%' : '−∞%';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`;
}

const RANK: Record<string, number> = { fail: 3, noise: 2, pass: 1, skipped: 0 };

/**
 * The comparison table's rows: per (workload, policy), every gated metric and the headline
 * metrics present in the data, baseline → candidate, change, limits, p-value and verdict.
 */
export function comparisonRows(c: Comparison, candMetrics: readonly string[]): ComparisonRow[] {
  const gated = Object.keys(c.gates);
  const metrics = [...gated, ...HEADLINE_METRICS.filter((m) => !gated.includes(m) && candMetrics.includes(m))];
  const cells = c.cells.length > 0 || c.baseLabel !== null ? c.cells : uniqueCells(c.checks);
  const rows: ComparisonRow[] = [];
  for (const { workload, policy } of cells) {
    for (const metric of metrics) {
      const b = c.baseLabel !== null ? c.samples('base', workload, policy, metric) : null;
      const k = c.samples('cand', workload, policy, metric);
      const checks = c.checks.filter((x) => x.workload === workload && x.policy === policy && x.metric === metric);
      // A gated metric shows the change its check judged (median per-seed change when seeds pair).
      const judged = checks.find((x) => x.changePct !== null && x.test !== null);
      const change = judged ? judged.changePct : b?.median != null && k?.median != null ? relativePct(k.median, b.median) : null;
      if (checks.length === 0 && b?.median == null && k?.median == null) continue; // undefined on both sides: nothing to show
      rows.push({
        workload, policy, metric,
        base: sampleText(metric, b),
        cand: sampleText(metric, k),
        change: pctText(change),
        limits: checks.map((x) => describeLimit(x.kind, x.limit)).join(', '),
        p: pText(checks),
        verdict: checks.length > 0 ? worst(checks) : infoVerdict(metric, change),
        moved: checks.some(moved) || (change !== null && Math.abs(change) >= 0.05),
      });
    }
  }
  return rows;
}

function uniqueCells(checks: readonly GateCheck[]): { workload: string; policy: string }[] {
  const seen = new Set<string>();
  const out: { workload: string; policy: string }[] = [];
  for (const x of checks) {
    const k = `${x.workload}\u0000${x.policy}`;
    if (!seen.has(k)) out.push({ workload: x.workload, policy: x.policy });
    seen.add(k);
  }
  return out;
}

function pText(checks: readonly GateCheck[]): string {
  const ps = checks.flatMap((x) => (x.test && 'pValue' in x.test ? [x.test.pValue] : []));
  if (ps.length > 0) return Math.min(...ps).toPrecision(2);
  return checks.some((x) => x.test?.method === 'threshold-only') ? 'n<5' : '–';
}

function worst(checks: readonly GateCheck[]): string {
  return checks.reduce((w, x) => (RANK[x.verdict]! > RANK[w]! ? x.verdict : w), 'skipped' as string);
}

function infoVerdict(metric: string, change: number | null): string {
  if (change === null) return '–';
  if (change === 0) return 'same';
  const dir = metricDirection(metric);
  if (!dir) return '–';
  return (change < 0) === (dir === 'lower') ? 'better' : 'worse';
}
