import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SeededRng } from '../../policies/rng.js';
import { drawTokens, makeSampler } from '../../workloads/distributions.js';

/**
 * Writes scenarios/traces/bench-trace-2000.csv, the fixed trace of `npm run bench`'s
 * single-instance run, in the Azure LLM inference CSV format: 2,000 requests, Poisson arrivals at
 * 3 req/s, conversation-like lengths (Azure's 2023 conversation trace: context mean ~1,150, output
 * mean ~210 tokens). Deterministic (seed 15); rerun only to change the trace on purpose:
 * `npm run build && node dist/harness/bench/make-bench-trace.js`.
 */
const ROWS = 2000;
const RATE_PER_S = 3;
const rng = new SeededRng(15);
const prompt = makeSampler({ dist: 'lognormal', mean: 1150, std: 900 });
const output = makeSampler({ dist: 'lognormal', mean: 210, std: 160 });
const startMs = Date.UTC(2024, 0, 1);
let tS = 0;
const lines = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
for (let i = 0; i < ROWS; i++) {
  tS += -Math.log(1 - rng.float()) / RATE_PER_S;
  const ms = Math.round(tS * 1e6) / 1e3; // µs resolution, as the trace's 7 decimals allow
  const iso = new Date(startMs + Math.floor(ms)).toISOString(); // 2024-01-01T00:00:01.234Z
  const frac = (ms % 1).toFixed(3).slice(2); // the µs digits below the millisecond
  lines.push(`${iso.slice(0, 10)} ${iso.slice(11, 23)}${frac}0,${drawTokens(prompt, rng, 1)},${drawTokens(output, rng, 1)}`);
}
const out = fileURLToPath(new URL('../../../scenarios/traces/bench-trace-2000.csv', import.meta.url));
writeFileSync(out, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${out}\n`);
