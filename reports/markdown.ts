import { fmt, relChange } from './format.js';
import { highlights } from './highlights.js';
import type { AggregateEntry, Report, Spread } from './report.js';

export { fmt, relChange };

/** A column of the per-workload comparison table. */
export interface Column {
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

/** Columns of report.md's failover table (runs with faults). */
export const FAILOVER_MD_COLUMNS: readonly Column[] = [
  { metric: 'workflowsCompleted', title: 'workflows done', digits: 0 },
  { metric: 'workflowsFailed', title: 'workflows failed', digits: 0 },
  { metric: 'requestsRetried', title: 'calls retried', digits: 0 },
  { metric: 'requestsRecovered', title: 'calls recovered', digits: 0 },
  { metric: 'requestsLost', title: 'calls lost', digits: 0 },
  { metric: 'recomputedPrefillTokens', title: 'recomputed prefill tokens', digits: 0 },
  { metric: 'timeToDetectMs', title: 'time to detect (ms)', digits: 0 },
  { metric: 'timeToRecoverMs', title: 'time to recover (ms)', digits: 0 },
  { metric: 'makespanMsP50AtFault', title: 'makespan p50 at fault (ms)', digits: 0 },
  { metric: 'makespanInflationAtFault', title: 'makespan × at fault', digits: 2 },
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
export function workloadTable(rows: readonly AggregateEntry[], columns: readonly Column[] = MD_COLUMNS): string {
  const head = `| policy | ${columns.map((c) => c.title).join(' | ')} |`;
  const sep = `|---|${columns.map(() => '---:').join('|')}|`;
  const base = rows[0];
  const body = rows.map((r, i) =>
    `| ${r.policy} | ${columns.map((c) => cell(r.summary[c.metric], base?.summary[c.metric], c.digits, i === 0)).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}

// The faults of a workload's first run, e.g. "crash of i1 at 90.0 s lasting 120.0 s".
function faultLine(report: Report, workload: string): string {
  const faults = report.runs.find((r) => r.workload === workload)?.faults ?? [];
  if (faults.length === 0) return 'none happened while the workload ran';
  const shown = faults.slice(0, 4).map((f) =>
    `${f.kind} of ${f.instance} at ${fmt(f.atMs / 1000, 1)} s${f.durationMs !== null && f.durationMs > 0 ? ` lasting ${fmt(f.durationMs / 1000, 1)} s` : ''}`);
  return `${shown.join('; ')}${faults.length > 4 ? `; and ${faults.length - 4} more` : ''}`;
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
    '| policy | routing | scheduling | eviction | recovery |',
    '|---|---|---|---|---|',
    ...report.policies.map((p) => `| ${p.name} | ${p.routing} | ${p.scheduling} | ${p.eviction} | ${p.recovery} |`),
  ];
  for (const w of report.workloads) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    lines.push('', `## Workload \`${w.name}\` (${w.pattern})`, '', workloadTable(rows));
    if (rows.some((r) => 'faultsInjected' in r.summary)) {
      lines.push('', `### Failover: \`${w.name}\``, '', `Faults (first seed): ${faultLine(report, w.name)}. "At fault": the workflows in flight when a fault hit that still completed; "×": their makespan p50 over the other completed workflows'.`, '', workloadTable(rows, FAILOVER_MD_COLUMNS));
    }
    const limited = report.runs.filter((r) => r.workload === w.name && r.end === 'limit');
    if (limited.length > 0) {
      lines.push('', `> ${limited.length} run(s) hit a run limit; their open requests were ended as timeouts.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
