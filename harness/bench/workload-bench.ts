import { SeededRng } from '../../policies/rng.js';
import { runTokens } from '../../policies/kv/hash.js';
import { workflowPrompts } from '../../workloads/preview.js';
import { WorkloadSource, workloadSchema, type WorkloadSpec } from '../../workloads/workload.js';

/**
 * `npm run bench:workloads`: streams N workflows (planner → 6 workers → aggregator, 8 LLM calls
 * each, prompts built) through a WorkloadSource for growing N and prints wall time and heap
 * figures, showing that generation is lazy: memory stays flat as N grows 1,000-fold. Run with
 * `--expose-gc` (the npm script does) so the heap is measured after collection.
 */
function main(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:workloads does)');
  const counts = (process.env['BENCH_WORKFLOWS'] ?? '1000,10000,100000').split(',').map(Number);
  process.stdout.write('workflows   LLM calls    prompt tokens   wall s   workflows/s   heap after MiB   peak heap MiB\n');
  for (const n of counts) {
    const spec = workloadSchema.parse({
      name: 'bench', pattern: 'parallel', workers: 6, workflows: n, arrivals: { kind: 'poisson', ratePerSec: 100 },
      contextTokens: { dist: 'uniform', min: 500, max: 2500 }, outputTokens: { dist: 'lognormal', mean: 180, std: 80 },
    }) as WorkloadSpec;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let calls = 0;
    let tokens = 0;
    const t0 = performance.now();
    const source = new WorkloadSource(spec, new SeededRng(1).fork('workload:bench'));
    let built = 0;
    for (let a = source.nextArrival(); a; a = source.nextArrival()) {
      const wf = source.build(a);
      for (const p of workflowPrompts(wf)) {
        if (!p) continue;
        calls++;
        tokens += runTokens(p);
      }
      if (++built % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    const wallS = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    gc();
    const after = process.memoryUsage().heapUsed - base;
    const mib = (b: number) => (b / 1024 / 1024).toFixed(2).padStart(14);
    process.stdout.write(
      `${n.toLocaleString('en-US').padStart(9)}  ${calls.toLocaleString('en-US').padStart(10)}  ${tokens.toLocaleString('en-US').padStart(15)}` +
      `  ${wallS.toFixed(2).padStart(7)}  ${Math.round(n / wallS).toLocaleString('en-US').padStart(12)}  ${mib(after)}   ${mib(peak)}\n`,
    );
  }
  process.stdout.write('\nheap after: retained once the stream is drained and collected; peak: highest heap growth sampled every 10,000 workflows (includes uncollected garbage).\n');
}

main();
