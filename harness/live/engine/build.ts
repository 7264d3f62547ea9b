import type { PolicyRef } from '../../../policies/registry.js';
import { instantiatePolicy } from '../../scenario/policy-modules.js';
import { clusterCostModel, type ResolvedCluster } from '../../runner/resolve.js';
import type { WallClock } from '../wall-clock.js';
import { EmulatedEngine } from './emulated-engine.js';

/** What an emulated engine is built from: the scenario's cluster plus the engine policies. */
export interface EmulatedEngineSpec {
  readonly cluster: ResolvedCluster;
  readonly scheduling: PolicyRef;
  readonly eviction: PolicyRef;
  readonly clock: WallClock;
  /** Name served on /v1/models (default: the catalog model's name). */
  readonly modelName?: string | undefined;
}

/** An emulated engine with the same EngineCore configuration the simulator would build. */
export function buildEmulatedEngine(spec: EmulatedEngineSpec): EmulatedEngine {
  const { cluster } = spec;
  const ctx = { blockSize: cluster.engine.blockSize };
  const cost = clusterCostModel(cluster);
  return new EmulatedEngine({
    clock: spec.clock,
    modelName: spec.modelName ?? cluster.model.name,
    makeCore: EmulatedEngine.coreFactory(
      cluster.engine, cost,
      () => instantiatePolicy('scheduling', spec.scheduling, ctx),
      () => instantiatePolicy('eviction', spec.eviction, ctx),
    ),
  });
}
