import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { checkScenario, swarmScenario } from './swarm.js';

// Randomized property: on generated scenarios (tiny KV caches so preemption and eviction are
// frequent, maxNumSeqs caps, other block sizes, prefix caching off, every scheduling and
// eviction policy, KV tiers, P/D disaggregation, faults, run limits) the fast engine's records
// (summary, requests, workflows, instances, events) equal the step-by-step reference's. Every
// other scenario also gets a small token budget and sometimes a long-prefill cap, so chunked
// prefills mix with steady decodes, and two in three get router timeouts (which read an
// attempt's last sign of life, moved lazily by bulk tokens). Seeded: the same scenarios every run.
const COUNT = 150;

describe('fast engine ≡ step-by-step reference on random scenarios', () => {
  it(`${COUNT} generated scenarios: identical records, with the fast path taken`, () => {
    const rng = new SeededRng('engine-equivalence');
    const before = EngineCore.steadyStepsTotal;
    const bulkBefore = EngineCore.bulkTokensTotal;
    const failures: string[] = [];
    let cells = 0;
    for (let seed = 1; seed <= COUNT; seed++) {
      const raw = swarmScenario(seed);
      if (seed % 2 === 0) {
        raw.cluster['maxNumBatchedTokens'] = [48, 128, 512][rng.int(3)]!;
        if (rng.float() < 0.5) raw.cluster['longPrefillTokenThreshold'] = [16, 100][rng.int(2)]!;
      }
      // Router idle timeouts read an attempt's last sign of life, which bulk tokens move lazily.
      if (seed % 3 !== 1) {
        const retry: Record<string, number> = { timeoutS: [0.02, 0.2, 2][rng.int(3)]! };
        if (rng.float() < 0.3) retry['firstTokenTimeoutS'] = [0.5, 5][rng.int(2)]!;
        raw['router'] = { retry };
      }
      const res = checkScenario(raw, { rerun: false, compareEngines: true });
      cells += res.cells;
      if (res.failure !== undefined) failures.push(`seed ${seed}: ${res.failure}`);
    }
    expect(failures).toEqual([]);
    expect(cells).toBeGreaterThan(2 * COUNT);
    expect(EngineCore.steadyStepsTotal - before).toBeGreaterThan(10_000);
    expect(EngineCore.bulkTokensTotal - bulkBefore).toBeGreaterThan(10_000);
  }, 120_000);

  it('the comparison can fail: an engine whose fast path is wrong is caught', () => {
    // Break the fast path's step time: a steady step costs 1 µs more than the reference's.
    const proto = EngineCore.prototype as unknown as { beginStep(nowUs: number): number | null };
    const original = proto.beginStep;
    proto.beginStep = function (this: EngineCore, nowUs: number): number | null {
      const steady = this.steadySteps;
      const d = original.call(this, nowUs);
      return d !== null && this.steadySteps > steady ? d + 1 : d;
    };
    try {
      const res = checkScenario(swarmScenario(3), { rerun: false, compareEngines: true });
      expect(res.failure).toMatch(/the fast engine's records differ from the step-by-step reference engine's/);
    } finally {
      proto.beginStep = original;
    }
  });
});
