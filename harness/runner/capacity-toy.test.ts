import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROOFLINE } from '../../sim/cost-model/coefficients.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A constant-service toy cluster: one instance serving one request at a time (maxNumSeqs 1), no
// prefix caching, every request the same 1,000-token prompt and 1 output token, so each is served
// in exactly one prefill step of S µs (whatever the cost model makes S), arriving at a constant rate.
// Before the engine every request spends F µs in the API-server front end, a pure delay (no
// queue): F = frontendUs + frontendPerPromptTokenUs × 1000 (docs/cost-model.md). A step that
// starts on an idle engine also pays its c = stepOverheadUs of CPU work, which async scheduling
// hides behind the previous step when steps run back to back: it takes S + c, a busy one S.
const toy = (extra: string) => `name: toy
cluster: { instances: 1, maxNumSeqs: 1, enablePrefixCaching: false }
policies: [{ routing: round-robin }]
seeds: [1]
workloads:
  - { name: q, pattern: chat, workflows: 40, arrivals: { kind: constant, ratePerSec: 1 }, taskTokens: 1000, outputTokens: 1 }
${extra}`;

async function run(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ab-toy-'));
  dirs.push(dir);
  return (await runScenario(parseScenario(yaml, 'toy.yaml'), { outDir: dir, check: true, formats: new Set(['json']) })).report;
}

describe('capacity at SLO on a constant-service toy cluster (D/D/1)', () => {
  it('breaks exactly where the arrival interval falls below the service time', async () => {
    // One request alone: its TTFT is F + S + c (one step on an idle engine; nothing queues at 1/s).
    const alone = await run(toy(''));
    const aloneMs = alone.runs[0]!.summary['ttftMsP50']!;
    expect(alone.runs[0]!.summary['ttftMsP99']).toBe(aloneMs); // every request alike: constant service
    const frontendMs = (DEFAULT_ROOFLINE.frontendUs + DEFAULT_ROOFLINE.frontendPerPromptTokenUs * 1000) / 1000;
    const cpuMs = DEFAULT_ROOFLINE.stepOverheadUs / 1000;
    const serviceMs = aloneMs - frontendMs - cpuMs;
    const rates = [0.5, 0.9, 1.1, 2].map((x) => x * (1000 / serviceMs));
    // SLO: TTFT ≤ F + c + 1.5 S for 90% of calls. Below 1/S nothing waits (T > S + c: every
    // request finds the engine idle, TTFT = F + S + c for all 40). Above it, request k (from 0)
    // reaches the engine at k·T + F (T = 1/rate) and starts at c + k·S + F (the first step of the
    // busy spell pays c, the rest run back to back), so its TTFT = F + c + S + k·(S − T): the
    // front end and c delay every request alike and never queue, so the thresholds are those of
    // a bare D/D/1:
    //   rate 1.1/S: 1 − 1/1.1 = 0.0909 → TTFT ≤ F + c + 1.5 S for k ≤ 5.5, i.e. 6 of 40 = 15%;
    //   rate 2/S:   1 − 1/2   = 0.5    → k ≤ 1, i.e. 2 of 40 = 5%.
    // So capacity at SLO is the 0.9/S point.
    const r = await run(toy(`slo: { ttftMs: ${aloneMs + serviceMs * 0.5}, attainment: 0.9 }\nsweep:\n  workloads[*].arrivals.ratePerSec: [${rates.join(', ')}]\n`));
    expect(r.runs.map((x) => x.summary['sloAttainment'])).toEqual([1, 1, 6 / 40, 2 / 40]);
    const cap = r.sweep!.capacityAtSlo![0]!;
    expect(cap.met.map((m) => m.meets)).toEqual([true, true, false, false]);
    expect(cap.capacity).toBe(rates[1]);
  });
});
