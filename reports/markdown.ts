import { fmt, relChange } from './format.js';
import { highlights } from './highlights.js';
import type { AggregateEntry, Report, Spread } from './report.js';

export { fmt, relChange };

/** A column of the per-workload comparison table. */
interface Column {
  readonly metric: string;
  readonly title: string;
  readonly digits: number;
}

/** Columns of report.md's per-workload table (issue #2's list). */
export const MD_COLUMNS: readonly Column[] = [
  { metric: 'workflowsCompleted', title: 'workflows done', digits: 0 },
  { metric: 'makespanMsP50', title: 'makespan p50 (ms)', digits: 0 },
  { metric: 'makespanMsP99', title: 'makespan p99 (ms)', digits: 0 },
  { metric: 'ttftMsP50', title: 'TTFT p50 (ms)', digits: 1 },
  { metric: 'ttftMsP99', title: 'TTFT p99 (ms)', digits: 1 },
  { metric: 'tpotMsP50', title: 'TPOT p50 (ms)', digits: 2 },
  { metric: 'e2eMsP99', title: 'E2E p99 (ms)', digits: 0 },
  { metric: 'outputTokensPerSec', title: 'output tok/s', digits: 0 },
  { metric: 'prefixCacheHitRate', title: 'prefix hit rate', digits: 3 },
];

function cell(s: Spread | undefined, base: Spread | undefined, digits: number, isFirst: boolean): string {
  if (!s) return '–';
  let out = fmt(s.median, digits);
  if (s.n > 1 && s.min !== s.max) out += ` [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
  if (!isFirst) {
    const d = relChange(s.median, base?.median ?? null);
    if (d) out += ` (${d})`;
  }
  return out;
}

/** The comparison table of one workload: one row per policy, deltas against the first policy. */
export function workloadTable(rows: readonly AggregateEntry[]): string {
  const head = `| policy | ${MD_COLUMNS.map((c) => c.title).join(' | ')} |`;
  const sep = `|---|${MD_COLUMNS.map(() => '---:').join('|')}|`;
  const base = rows[0];
  const body = rows.map((r, i) =>
    `| ${r.policy} | ${MD_COLUMNS.map((c) => cell(r.summary[c.metric], base?.summary[c.metric], c.digits, i === 0)).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}

/** report.md: scenario header, then per workload the policy comparison table. */
export function reportMarkdown(report: Report): string {
  const s = report.scenario;
  const lines: string[] = [
    `# agentbench report: ${s.name}`,
    '',
    ...(s.description ? [s.description, ''] : []),
    `- mode: ${s.mode}; seeds: ${s.seeds.join(', ')}; scenario hash: \`${s.hash.slice(0, 12)}\``,
    `- cluster: ${Object.entries(report.cluster).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`,
    `- tool: ${report.tool.name} ${report.tool.version}`,
    '',
    '## What stands out',
    '',
    highlights(report).join(' '),
    '',
    'Cells show the median across seeds, [min–max] when seeds differ, and (change vs the first policy).',
    '',
    '## Policies',
    '',
    '| policy | routing | scheduling | eviction |',
    '|---|---|---|---|',
    ...report.policies.map((p) => `| ${p.name} | ${p.routing} | ${p.scheduling} | ${p.eviction} |`),
  ];
  for (const w of report.workloads) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    lines.push('', `## Workload \`${w.name}\` (${w.pattern})`, '', workloadTable(rows));
    const limited = report.runs.filter((r) => r.workload === w.name && r.end === 'limit');
    if (limited.length > 0) {
      lines.push('', `> ${limited.length} run(s) hit a run limit; their open requests were ended as timeouts.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
