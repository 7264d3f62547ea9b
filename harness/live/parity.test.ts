import { describe, expect, it } from 'vitest';
import { resolveCluster } from '../runner/resolve.js';
import { runSimCell } from '../runner/sim-cell.js';
import { scenarioSchema } from '../scenario/schema.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { runLiveCell } from './live-cell.js';

/**
 * Sim/live parity: the same small scenario, simulated and then run live at time scale 1 against
 * emulated engines behind the router, must agree on TTFT p50 and E2E p50 within 15%.
 *
 * Why 15%: the engines run the simulator's own EngineCore with steps laid end to end on their
 * timeline, so the model's times are the same; what live adds is real: rendering, JSON and
 * tokenising (~1 ms per hop, two hops), loopback HTTP, and the OS scheduling this process on a
 * shared 2-core machine (event-loop stalls of 20-100 ms seen at load average 7). The scenario
 * keeps TTFT p50 around 140 ms (prompts of 5-7k tokens) so those costs stay under ~10% of it;
 * E2E (about 1 s) lands within ~3%. Time scale 1 because at 0.5 the same scenario's E2E drifted
 * by ~20% on the loaded machine: the process then needs twice the CPU per wall second.
 * One live re-run is allowed when the first misses: at load average 10 a single preemption
 * burst was seen to push TTFT p50 to +16%; a real parity break misses twice.
 */
describe('sim/live parity', () => {
  it('TTFT p50 and E2E p50 agree within 15% at time scale 1, moderate load', async () => {
    const sc = scenarioSchema.parse({
      name: 'parity', mode: 'live',
      live: { spawn: 'local', timeScale: 1, requestTimeoutS: 60, maxDurationS: 60 },
      cluster: { instances: 2 },
      policies: [{ routing: 'round-robin' }],
      workloads: [{
        name: 'seq', pattern: 'sequential', agents: 2, workflows: 12, arrivals: { kind: 'poisson', ratePerSec: 4 },
        systemTokens: 256, contextTokens: { dist: 'uniform', min: 5000, max: 7000 }, taskTokens: 64,
        outputTokens: { dist: 'uniform', min: 60, max: 100 },
      }],
    });
    const base = {
      cluster: resolveCluster(sc.cluster, 'parity'), workload: sc.workloads[0] as WorkloadSpec, policy: sc.policies[0]!, seed: 1,
      check: true, sampleIntervalUs: 1e6,
    };
    const sim = runSimCell({ ...base, maxSimUs: 600e6, maxEvents: 10_000_000 }).summary;
    const within = (live: Record<string, number>): boolean =>
      ['ttftMsP50', 'e2eMsP50'].every((k) => Math.abs(live[k]! / sim[k]! - 1) < 0.15);
    let live = (await runLiveCell({ ...base, live: sc.live })).summary;
    if (!within(live)) live = (await runLiveCell({ ...base, live: sc.live })).summary;
    expect(live['requestsOk']).toBe(sim['requestsOk']);
    expect(live['outputTokens']).toBe(sim['outputTokens']);
    const rel = (k: string): number => Math.abs(live[k]! / sim[k]! - 1);
    expect(rel('ttftMsP50'), `TTFT p50 sim ${sim['ttftMsP50']} live ${live['ttftMsP50']}`).toBeLessThan(0.15);
    expect(rel('e2eMsP50'), `E2E p50 sim ${sim['e2eMsP50']} live ${live['e2eMsP50']}`).toBeLessThan(0.15);
  });
});
