import { fmt } from './format.js';

/** A workload's parameters as the run applied them (defaults filled in), minus its name and pattern. */
export type WorkloadParams = Readonly<Record<string, unknown>>;

/** The parameters of a resolved workload spec, for report.json's `workloads[].params`. */
export function workloadParams(spec: Readonly<Record<string, unknown>>): WorkloadParams {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) if (k !== 'name' && k !== 'pattern' && v !== undefined) out[k] = v;
  return out;
}

const num = (x: number): string => fmt(x, Number.isInteger(x) ? 0 : Math.abs(x) < 1 ? 3 : 2).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

/** A distribution or number as words: "uniform 1,000–3,000", "lognormal mean 200 sd 80", "6,000". */
export function valueText(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (v === null || typeof v !== 'object') return String(v);
  const o = v as Record<string, unknown>;
  if (o['dist'] === 'uniform') return `uniform ${valueText(o['min'])}–${valueText(o['max'])}`;
  if (typeof o['dist'] === 'string') {
    const rest = Object.entries(o).filter(([k]) => k !== 'dist').map(([k, x]) => `${k === 'std' ? 'sd' : k} ${valueText(x)}`);
    return `${o['dist']} ${rest.join(' ')}`.trim();
  }
  return Object.entries(o).map(([k, x]) => `${k} ${valueText(x)}`).join(', ');
}

/** How work arrived: "poisson arrivals at 6/s", "gamma arrivals at 5/s (burstiness 2)", "closed loop of 8". */
export function arrivalsText(a: unknown): string {
  if (a === null || typeof a !== 'object') return 'arrivals unknown';
  const o = a as Record<string, unknown>;
  switch (o['kind']) {
    case 'poisson':
    case 'constant':
      return `${String(o['kind'])} arrivals at ${valueText(o['ratePerSec'])}/s`;
    case 'gamma':
      return `gamma arrivals at ${valueText(o['ratePerSec'])}/s (burstiness ${valueText(o['burstiness'])})`;
    case 'closed-loop':
      return `closed loop of ${valueText(o['concurrency'])} (think time ${valueText(o['thinkTimeMs'])} ms)`;
    case 'stages': {
      const stages = Array.isArray(o['stages']) ? o['stages'] as Record<string, unknown>[] : [];
      const parts = stages.map((s) => `${valueText(s['durationS'])} s at ${s['rampToPerSec'] !== undefined ? `${valueText(s['fromPerSec'] ?? 0)}→${valueText(s['rampToPerSec'])}` : valueText(s['ratePerSec'])}/s`);
      return `${String(o['process'] ?? 'poisson')} arrivals in stages: ${parts.join(', ')}`;
    }
    default:
      return `arrivals ${valueText(o)}`;
  }
}

// Keys that are defaults of no interest to a reader comparing loads.
const QUIET = new Set(['priority', 'maxTokens', 'roles', 'reuse']);

/** One line on the load a workload applied: pattern, arrivals, size, then the other parameters. */
export function loadText(pattern: string, params: WorkloadParams | undefined): string {
  if (!params) return pattern;
  const head = [pattern, arrivalsText(params['arrivals'])];
  if (params['workflows'] !== undefined) head.push(`${valueText(params['workflows'])} workflows`);
  if (params['durationS'] !== undefined) head.push(`for ${valueText(params['durationS'])} s`);
  const rest = Object.entries(params)
    .filter(([k]) => !['arrivals', 'workflows', 'durationS'].includes(k) && !QUIET.has(k))
    .map(([k, v]) => `${k} ${valueText(v)}`);
  return `${head.join(', ')}; ${rest.join('; ')}`;
}
