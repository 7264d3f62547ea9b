import { median } from 'simple-statistics';
import type { Report, RunEntry, SweepValue } from './report.js';
import { DEFAULT_SLO_ATTAINMENT, meetsSlo, type Slo } from './slo.js';

/**
 * A policy's capacity at SLO on one workload: the highest value of the sweep's first axis at
 * which the median (over seeds) SLO attainment still reaches the target, with the other axes
 * held at `others`. `null` when no point meets it. `met` lists every point's verdict, in order.
 */
export interface CapacityEntry {
  readonly workload: string;
  readonly policy: string;
  readonly axis: string;
  readonly others: Readonly<Record<string, SweepValue>>;
  readonly capacity: SweepValue | null;
  readonly attainment: 'workflow' | 'call';
  readonly met: readonly { readonly value: SweepValue; readonly attainment: number | null; readonly meets: boolean }[];
}

/** A sweep point as the reports know it: its label, its values and its workloads' base names. */
export interface SweepPointRef {
  readonly label: string;
  readonly values: Readonly<Record<string, SweepValue>>;
  readonly workloads: readonly string[];
}

/**
 * Capacity at SLO (DistServe's "maximum rate under SLO attainment"): per base workload, policy
 * and setting of the other axes, walk the first axis in the order written (ascending for a
 * load sweep) and keep the last value that meets the SLO before the first that does not.
 * Workflow attainment is used when the SLO bounds the makespan, call attainment otherwise.
 */
export function capacityAtSlo(slo: Slo, points: readonly SweepPointRef[], runs: readonly RunEntry[]): CapacityEntry[] {
  const axisNames = Object.keys(points[0]?.values ?? {});
  const axis = axisNames[0];
  if (axis === undefined) return [];
  const metric = slo.makespanMs !== undefined ? 'workflowSloAttainment' : 'sloAttainment';
  const groups = new Map<string, { workload: string; policy: string; others: Record<string, SweepValue>; met: CapacityEntry['met'][number][] }>();
  const policies = [...new Set(runs.map((r) => r.policy))];
  for (const pt of points) {
    const others: Record<string, SweepValue> = {};
    for (const k of axisNames.slice(1)) others[k] = pt.values[k]!;
    for (const base of pt.workloads) {
      const name = `${base} @ ${pt.label}`;
      for (const policy of policies) {
        const vals = runs.filter((r) => r.workload === name && r.policy === policy).map((r) => r.summary[metric] ?? NaN).filter(Number.isFinite);
        const att = vals.length > 0 ? median(vals) : null;
        const key = `${base}\u0000${policy}\u0000${JSON.stringify(others)}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { workload: base, policy, others, met: [] }));
        g.met.push({ value: pt.values[axis]!, attainment: att, meets: att !== null && meetsSlo(slo, att) });
      }
    }
  }
  return [...groups.values()].map((g) => {
    let capacity: SweepValue | null = null;
    for (const m of g.met) {
      if (!m.meets) break;
      capacity = m.value;
    }
    return { workload: g.workload, policy: g.policy, axis, others: g.others, capacity, attainment: metric === 'workflowSloAttainment' ? 'workflow' : 'call', met: g.met };
  });
}

/** report.json's `sweep`: the axes, the points in run order and, with an SLO, capacity at SLO. */
export function sweepSummary(points: readonly SweepPointRef[], slo: Slo | undefined, runs: readonly RunEntry[]): NonNullable<Report['sweep']> {
  const axes: Record<string, SweepValue[]> = {};
  for (const pt of points) {
    for (const [k, v] of Object.entries(pt.values)) {
      const list = (axes[k] ??= []);
      if (!list.includes(v)) list.push(v);
    }
  }
  return { axes, points: points.map((p) => ({ label: p.label, values: p.values })), ...(slo ? { slo, capacityAtSlo: capacityAtSlo(slo, points, runs) } : {}) };
}

/** The sweep points of a report (for re-computing its sweep summary, e.g. when merging shards). */
export function sweepPointsOf(report: Report): SweepPointRef[] {
  return (report.sweep?.points ?? []).map((p) => ({
    label: p.label, values: p.values,
    workloads: report.workloads.filter((w) => w.base !== undefined && w.name === `${w.base} @ ${p.label}`).map((w) => w.base!),
  }));
}

/** The capacity-at-SLO table as cells (report.md and report.html both draw it from this). */
export interface CapacityTable {
  /** What the table shows: axis, target share, SLO bounds (`code` spans marked with backticks). */
  readonly intro: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The report's capacity-at-SLO table, or null without one. */
export function capacityTable(report: Report): CapacityTable | null {
  const sw = report.sweep;
  if (!sw?.capacityAtSlo || !sw.slo || sw.capacityAtSlo.length === 0) return null;
  const slo = sw.slo;
  const bounds = (['ttftMs', 'tpotMs', 'e2eMs', 'makespanMs'] as const).filter((k) => slo[k] !== undefined).map((k) => `${k} ≤ ${slo[k]}`).join(', ');
  const first = sw.capacityAtSlo[0]!;
  const intro = `The highest \`${first.axis}\` at which a policy still has at least ${Math.round((slo.attainment ?? DEFAULT_SLO_ATTAINMENT) * 100)}% of its ${first.attainment === 'workflow' ? 'workflows' : 'calls'} within the SLO (${bounds}; median over seeds; the sweep walks the values in the order written and stops at the first miss). "–": not even the first value.`;
  const header = ['workload', 'policy', ...Object.keys(first.others), 'capacity', `attainment per \`${first.axis}\``];
  const rows = sw.capacityAtSlo.map((c) => [
    c.workload, c.policy, ...Object.values(c.others).map(String), c.capacity === null ? '–' : String(c.capacity),
    c.met.map((m) => `${String(m.value)}: ${m.attainment === null ? 'n/a' : `${(m.attainment * 100).toFixed(0)}%`}${m.meets ? '' : ' ✗'}`).join(', '),
  ]);
  return { intro, header, rows };
}

/** A sweep axis's short name, as point labels and chart axes show it: the path's last key (`workloads[*].arrivals.ratePerSec` → `ratePerSec`). */
export function axisLabel(path: string): string {
  return path.split('.').pop()!.replace(/\[.*?\]/g, '');
}
