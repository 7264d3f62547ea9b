/** A period in which one instance was unhealthy, in seconds of the run's clock. */
export interface DownPeriod {
  readonly instance: string;
  readonly tS: number;
  readonly tEndS: number;
}

/** A stretch of time drawn around one or more faults. */
export interface FaultWindow {
  readonly label: string;
  readonly fromS: number;
  readonly toS: number;
}

/** At most this many fault windows are drawn side by side; more faults share one whole-run view. */
export const MAX_FAULT_WINDOWS = 4;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Consecutive unhealthy samples of each instance merged into periods (a sample covers the interval before it). */
export function downPeriods(samples: readonly { tMs: number; instance: string; healthy: boolean }[], intervalS: number): DownPeriod[] {
  const open = new Map<string, { instance: string; tS: number; tEndS: number }>();
  const out: DownPeriod[] = [];
  for (const s of samples) {
    const t = s.tMs / 1000;
    const cur = open.get(s.instance);
    if (!s.healthy) {
      if (cur) cur.tEndS = round3(t);
      else open.set(s.instance, { instance: s.instance, tS: round3(Math.max(0, t - intervalS)), tEndS: round3(t) });
    } else if (cur) {
      out.push(cur);
      open.delete(s.instance);
    }
  }
  out.push(...open.values());
  return out;
}

/**
 * Windows around the faults: down periods (of any instance, any policy) that overlap once
 * widened by a margin are merged; each window shows the margin before and after, so the
 * throughput dip and the recovery are visible. With more than MAX_FAULT_WINDOWS windows, or
 * windows covering most of the run, one whole-run window is returned instead.
 */
export function faultWindows(periods: readonly DownPeriod[], runFromS: number, runToS: number, intervalS: number): FaultWindow[] {
  const whole = [{ label: 'whole run', fromS: runFromS, toS: runToS }];
  if (periods.length === 0) return whole;
  const sorted = [...periods].sort((a, b) => a.tS - b.tS);
  const merged: { fromS: number; toS: number; instances: Set<string> }[] = [];
  for (const p of sorted) {
    const margin = Math.max(5 * intervalS, p.tEndS - p.tS);
    const from = Math.max(runFromS, p.tS - margin);
    const to = Math.min(runToS, p.tEndS + margin);
    const last = merged.at(-1);
    if (last && from <= last.toS) {
      last.toS = Math.max(last.toS, to);
      last.instances.add(p.instance);
    } else {
      merged.push({ fromS: from, toS: to, instances: new Set([p.instance]) });
    }
  }
  const covered = merged.reduce((s, w) => s + (w.toS - w.fromS), 0);
  if (merged.length > MAX_FAULT_WINDOWS || covered > 0.6 * (runToS - runFromS)) return whole;
  return merged.map((w, k) => ({
    label: `fault ${k + 1}: ${[...w.instances].join(', ')} (${round3(w.fromS)}–${round3(w.toS)} s)`,
    fromS: round3(w.fromS),
    toS: round3(w.toS),
  }));
}
