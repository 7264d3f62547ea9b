import type { Command } from 'commander';
import { DEFAULT_ROOFLINE } from '../../sim/cost-model/coefficients.js';
import { evaluateFidelity, summarizeFidelity, type FidelityResult, type FidelitySummary } from '../../sim/cost-model/fidelity/evaluate.js';
import { FIDELITY_POINTS, SERVING_POINTS } from '../../sim/cost-model/fidelity/points.js';
import { servingPredictor } from '../fidelity/serving.js';
import { table } from './cost-args.js';

/** `agentbench fidelity` (also `npm run fidelity`) */
export function registerFidelity(program: Command): void {
  program
    .command('fidelity')
    .description('predict published measurements (vidur operator profiles, vLLM serving runs) from datasheet figures with the default coefficients; exit 1 when a point is beyond its tolerance')
    .option('--json', 'print every point and the summary as JSON')
    .option('--verbose', 'print each point\'s source')
    .action((o: { json?: boolean; verbose?: boolean }) => {
      const results = evaluateFidelity([...FIDELITY_POINTS, ...SERVING_POINTS], DEFAULT_ROOFLINE, servingPredictor());
      const summary = summarizeFidelity(results);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ coefficients: DEFAULT_ROOFLINE, results, summary }, null, 2)}\n`);
      } else {
        process.stdout.write(`${fidelityText(results, summary, o.verbose === true)}\n`);
      }
      const failed = results.filter((r) => !r.pass);
      if (failed.length > 0) {
        process.stderr.write(`agentbench: ${failed.length} fidelity point(s) beyond tolerance: ${failed.map((r) => r.point.id).join(', ')}\n`);
        process.exitCode = 1;
      }
    });
}

const pct = (v: number, digits = 1): string => `${(100 * v).toFixed(digits)}%`;

/**
 * Issue 17's targets for the median |error| on held-out points: step/operator times and
 * whole-run TPOT within 5 %, TTFT within 10 % (attention alone has none). The summary says for
 * each whether it is met, with two decimals, so a median just above a target (5.05 %) does not
 * read as 5.0 %.
 */
export const HELD_OUT_TARGETS: Partial<Record<FidelitySummary['category'], number>> = { operator: 0.05, tpot: 0.05, ttft: 0.1 };

/** Per-point table, then the summary per category and split. */
export function fidelityText(results: readonly FidelityResult[], summary: readonly FidelitySummary[], verbose: boolean): string {
  const rows: string[][] = [['point', 'split', 'gpu', 'tp', 'measured ms', 'predicted ms', 'error', 'tolerance', '']];
  for (const r of results) {
    rows.push([
      r.point.id, r.point.split, r.point.gpu, String(r.point.tensorParallel), r.point.measuredMs.toFixed(3), r.predictedMs.toFixed(3),
      `${r.error >= 0 ? '+' : ''}${pct(r.error)}`, r.point.gated === false ? 'report' : `±${pct(r.point.tolerance)}`,
      r.point.gated === false ? '' : r.pass ? 'ok' : 'FAIL',
    ]);
  }
  const sums: string[][] = [['category', 'split', 'points', 'median |error|', 'max |error|', 'failures', 'not gated', 'target (held-out median)']];
  for (const s of summary) {
    const target = s.split === 'held-out' ? HELD_OUT_TARGETS[s.category] : undefined;
    const verdict = target === undefined ? '' : `≤ ${pct(target, 0)}: ${s.medianAbsError <= target ? 'met' : 'NOT met'}`;
    sums.push([s.category, s.split, String(s.n), pct(s.medianAbsError, 2), pct(s.maxAbsError), String(s.failures), String(s.ungated), verdict]);
  }
  const sources = verbose ? `\nsources:\n${results.map((r) => `  ${r.point.id}: ${r.point.source}`).join('\n')}\n` : '';
  return `${table(rows)}\n\n${table(sums)}\n${sources}` +
    '\nfit = looked at when choosing the default coefficients; held-out = not (docs/cost-model.md); ' +
    'operator = linear + norm ops of a forward, attention = one layer\'s decode attention, tpot/ttft = medians of whole simulated serving runs';
}
