import { capacityTable } from './capacity.js';
import { fmt, relChange } from './format.js';
import { PERCENTILE_METHOD_TEXT } from './stats.js';
import { highlights } from './highlights.js';
import { loadText } from './load.js';
import { DECIDING_METRICS, leaderboard, metricName, metricValue, significanceText, type Leaderboard } from './leaderboard.js';
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

/** Columns of report.md's KV-tier table (scenarios where a policy has KV tiers or disaggregation). */
export const KV_MD_COLUMNS: readonly Column[] = [
  { metric: 'engineCacheHitRate', title: 'GPU hit rate', digits: 3 },
  { metric: 'kvCpuHitRate', title: 'CPU tier hit rate', digits: 3 },
  { metric: 'kvRemoteHitRate', title: 'remote tier hit rate', digits: 3 },
  { metric: 'kvLoads', title: 'loads', digits: 0 },
  { metric: 'kvLoadsDeclined', title: 'declined (recomputed)', digits: 0 },
  { metric: 'kvLoadMsMean', title: 'load mean (ms)', digits: 1 },
  { metric: 'kvLoadS', title: 'loading (s)', digits: 1 },
  { metric: 'kvSavedComputeS', title: 'compute saved (s)', digits: 1 },
  { metric: 'engineBusyS', title: 'computing (s)', digits: 0 },
  { metric: 'kvCpuLoadedGiB', title: 'CPU → GPU (GiB)', digits: 1 },
  { metric: 'kvRemoteLoadedGiB', title: 'remote → GPU (GiB)', digits: 1 },
  { metric: 'kvRemoteStoredGiB', title: 'GPU → remote (GiB)', digits: 1 },
];

/** Columns of report.md's disaggregation table. */
export const PD_MD_COLUMNS: readonly Column[] = [
  { metric: 'ttftMsP50', title: 'TTFT p50 (ms)', digits: 1 },
  { metric: 'pdPrefillPhaseMsP50', title: 'prefill phase p50 (ms)', digits: 1 },
  { metric: 'pdDecodeQueueMsP50', title: 'decode queue p50 (ms)', digits: 1 },
  { metric: 'pdTransferMsP50', title: 'KV transfer p50 (ms)', digits: 1 },
  { metric: 'pdTransferMsP99', title: 'KV transfer p99 (ms)', digits: 1 },
  { metric: 'pdDecodeFirstTokenMsP50', title: 'decode 1st token p50 (ms)', digits: 1 },
  { metric: 'tpotMsP50', title: 'TPOT p50 (ms)', digits: 2 },
  { metric: 'tpotMsP99', title: 'TPOT p99 (ms)', digits: 2 },
  { metric: 'utilPrefillPool', title: 'prefill pool util', digits: 2 },
  { metric: 'utilDecodePool', title: 'decode pool util', digits: 2 },
  { metric: 'utilMean', title: 'all util', digits: 2 },
];

/** A workload's leaderboard as Markdown: the verdict, then a row per policy in rank order. */
export function leaderboardMarkdown(lb: Leaderboard): string[] {
  const pct = (x: number): string => (x === 0 ? '–' : `${x > 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`);
  return [
    `**${lb.verdict}**`,
    '',
    `| # | policy | ${metricName(lb.metric)} | vs leader | leader better over seeds? | ${DECIDING_METRICS.map(metricName).join(' | ')} |`,
    `|---:|---|---:|---:|---|${DECIDING_METRICS.map(() => '---:').join('|')}|`,
    ...lb.rows.map((r) => `| ${r.rank} | ${r.policy} | ${metricValue(lb.metric, r.primary.median)} | ${pct(r.vsLeaderPct)} | ${significanceText(r)} | ${DECIDING_METRICS.map((m) => metricValue(m, r.others[m]?.median ?? null)).join(' | ')} |`),
  ];
}

/** The table's columns: goodput joins when the scenario set an SLO (it is undefined otherwise). */
export function columnsFor(rows: readonly AggregateEntry[]): readonly Column[] {
  const slo = rows.some((r) => (r.summary['goodputWps']?.median ?? null) !== null);
  return slo ? [...MD_COLUMNS, { metric: 'goodputWps', title: 'goodput (workflows/s within SLO)', digits: 3 }] : MD_COLUMNS;
}

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

// The policies' table; KV tiers and disaggregation get columns when some policy has them.
function policyTable(report: Report): string[] {
  const tiers = report.policies.some((p) => p.kvTiers);
  const pd = report.policies.some((p) => p.disaggregation);
  const extra = [...(tiers ? ['KV tiers'] : []), ...(pd ? ['disaggregation'] : [])];
  return [
    `| policy | routing | scheduling | eviction | recovery |${extra.map((e) => ` ${e} |`).join('')}`,
    `|---|---|---|---|---|${extra.map(() => '---|').join('')}`,
    ...report.policies.map((p) => `| ${p.name} | ${p.routing} | ${p.scheduling} | ${p.eviction} | ${p.recovery} |${tiers ? ` ${p.kvTiers ?? '–'} |` : ''}${pd ? ` ${p.disaggregation ?? '–'} |` : ''}`),
  ];
}

/** report.md: scenario header, then per workload the policy comparison table. */
export function reportMarkdown(report: Report): string {
  const s = report.scenario;
  const lines: string[] = [
    `# agentbench report: ${s.name}`,
    '',
    ...(s.description ? [s.description, ''] : []),
    `- mode: ${s.mode}; seeds: ${s.seeds.join(', ')}; scenario hash: \`${s.hash.slice(0, 12)}\``,
    // A deployed target's header names it: nothing about it was simulated.
    `- ${'target' in report.cluster ? 'deployed target' : 'cluster'}: ${Object.entries(report.cluster).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`,
    `- tool: ${report.tool.name} ${report.tool.version}`,
    `- percentiles: ${PERCENTILE_METHOD_TEXT[s.percentiles ?? 'linear']}; ITL from a log histogram`,
    '',
    '## What stands out',
    '',
    ...highlights(report).map((h) => `- ${h}`),
    '',
    'Cells show the median across seeds, [min–max] when seeds differ, and (change vs the first policy).',
    '',
    '## Policies',
    '',
    ...policyTable(report),
    ...capacitySection(report),
  ];
  for (const w of report.workloads) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    const lb = leaderboard(report, w.name);
    lines.push('', `## Workload \`${w.name}\` (${w.pattern})`, '', `Load: ${loadText(w.pattern, w.params)}.`, '');
    if (lb) lines.push(...leaderboardMarkdown(lb), '', '### Details', '');
    lines.push(workloadTable(rows, columnsFor(rows)));
    if (rows.some((r) => 'kvLoads' in r.summary)) {
      if (report.policies.some((p) => p.kvTiers)) {
        lines.push('', `### KV tiers: \`${w.name}\``, '', 'Hit rates are prompt tokens served per tier; loads are chosen only when the transfer lands sooner than the prefill it saves (unless `loadRule: always`).', '', workloadTable(rows, KV_MD_COLUMNS));
      }
      if (report.policies.some((p) => p.disaggregation)) {
        lines.push('', `### Disaggregation: \`${w.name}\``, '', 'A disaggregated request\'s TTFT is its prefill phase, its wait for the decode instance, the KV transfer and the decode instance\'s first step; TPOT is decode only.', '', workloadTable(rows, PD_MD_COLUMNS));
      }
    }
    if (rows.some((r) => 'faultsInjected' in r.summary)) {
      lines.push('', `### Failover: \`${w.name}\``, '', `Faults (first seed): ${faultLine(report, w.name)}. "At fault": the workflows in flight when a fault hit that still completed; "×": their makespan p50 over the other completed workflows'.`, '', workloadTable(rows, FAILOVER_MD_COLUMNS));
    }
    const limited = report.runs.filter((r) => r.workload === w.name && r.end === 'limit');
    if (limited.length > 0) {
      const t = limited[0]!.truncated;
      const which = t ? ` (${t.limit} = ${t.value} in seed ${limited[0]!.seed}: ${t.workflowsStarted} workflows started, ${t.workflowsNotStarted ?? 'unknown'} never started)` : '';
      lines.push('', `> ${limited.length} run(s) hit a run limit${which}; their open requests were ended as timeouts.`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** "Capacity at SLO": per workload, the highest load each policy serves within the SLO. */
export function capacitySection(report: Report): string[] {
  const t = capacityTable(report);
  if (!t) return [];
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    '', '## Capacity at SLO', '', t.intro, '',
    row(t.header), `|---|---|${t.header.slice(2, -2).map(() => '---|').join('')}---:|---|`,
    ...t.rows.map(row),
  ];
}
