import type { RooflineCoefficients } from '../../sim/cost-model/coefficients.js';
import type { ServingPredictor } from '../../sim/cost-model/fidelity/evaluate.js';
import type { FidelityPoint } from '../../sim/cost-model/fidelity/points.js';
import { workloadSchema, type WorkloadSpec } from '../../workloads/workload.js';
import { resolveCluster, type ResolvedCluster } from '../runner/resolve.js';
import { runSimCell } from '../runner/sim-cell.js';
import { clusterSchema, policyEntrySchema } from '../scenario/schema.js';

/** The one-instance cluster a serving point simulates: its GPU, model, TP and the source's server arguments. */
export function servingCluster(p: FidelityPoint, coefficients: RooflineCoefficients): ResolvedCluster {
  const t = p.target;
  if (t.kind !== 'serving') throw new Error(`${p.id}: not a serving point`);
  return resolveCluster(clusterSchema.parse({
    instances: 1, model: p.model, gpu: p.gpu, tensorParallel: p.tensorParallel, costModel: coefficients, ...t.server,
  }), `fidelity:${p.id}`);
}

/**
 * Predicts a serving point by simulating it: one vLLM instance with the engine defaults the
 * cluster resolves to (vLLM's, e.g. 2048 batched tokens below 70 GiB) and the server arguments
 * the source states, `chat` requests of exactly `inputTokens` prompt and `outputTokens` output
 * tokens (`--ignore-eos`), `concurrency` in flight in a closed loop (`--max-concurrency`,
 * `--request-rate inf`), `requests` in all, seed 1. Runs sharing a setup are simulated once.
 */
export function servingPredictor(): ServingPredictor {
  const cache = new Map<string, Record<string, number>>();
  return (p: FidelityPoint, coefficients: RooflineCoefficients): number => {
    const t = p.target;
    if (t.kind !== 'serving') throw new Error(`${p.id}: not a serving point`);
    const key = JSON.stringify([p.gpu, p.model, p.tensorParallel, t.concurrency, t.inputTokens, t.outputTokens, t.requests, t.server, coefficients]);
    let summary = cache.get(key);
    if (!summary) {
      const cluster = servingCluster(p, coefficients);
      const workload = workloadSchema.parse({
        name: p.id, pattern: 'chat', workflows: t.requests, arrivals: { kind: 'closed-loop', concurrency: t.concurrency },
        systemTokens: 0, taskTokens: t.inputTokens, outputTokens: t.outputTokens,
      }) as WorkloadSpec;
      const r = runSimCell({
        cluster, workload, policy: policyEntrySchema.parse({ routing: 'round-robin' }), seed: 1, check: false,
        maxSimUs: 3600e6, maxEvents: 50_000_000, sampleIntervalUs: 1e6,
      });
      summary = r.summary as unknown as Record<string, number>;
      cache.set(key, summary);
    }
    const field = t.metric === 'ttft' ? 'ttftMsP50' : t.metric === 'itl' ? 'itlMsP50' : 'tpotMsP50';
    const v = summary[field];
    if (typeof v !== 'number') throw new Error(`${p.id}: the run has no ${field}`);
    return v;
  };
}
