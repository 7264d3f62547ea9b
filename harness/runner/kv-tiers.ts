import type { PolicyContext } from '../../policies/registry.js';
import { instantiatePolicy } from '../scenario/policy-modules.js';
import { buildKvTiers, kvTierCounters, type KvTiers, type KvTiersConfig, type TierConfig } from '../../sim/kv-tiers/index.js';
import type { CostModel } from '../../sim/cost-model/types.js';
import { kvTierFigures, NO_COUNTERS } from '../../reports/kv-tiers.js';
import type { RequestRecord } from '../../reports/records.js';
import type { Summary } from '../../reports/summary.js';
import type { KvTiersSpec } from '../scenario/kv-tiers.js';
import type { PolicyEntry } from '../scenario/schema.js';
import type { ResolvedCluster } from './resolve.js';
import type { Rows } from '../../reports/request-table.js';

const GIB = 1024 ** 3;

/**
 * A policy entry's `kvTiers` in blocks and GB/s: capacity in GiB becomes whole blocks of the
 * cluster's model; the CPU tier's bandwidth defaults to the GPU's PCIe link per direction ×
 * tensorParallel (each GPU of an instance copies its own share of every block over its own link).
 */
export function resolveKvTiers(spec: KvTiersSpec | undefined, cluster: ResolvedCluster): KvTiersConfig | undefined {
  if (!spec) return undefined;
  const bpb = cluster.capacity.kvBytesPerBlock;
  const tier = (t: NonNullable<KvTiersSpec['cpu']>, defaultGBps: number | undefined): TierConfig => {
    const bandwidthGBps = t.bandwidthGBps ?? defaultGBps;
    if (bandwidthGBps === undefined) throw new Error('KV tier bandwidth has no default (validated at load)');
    const capacityBlocks = t.capacityBlocks ?? Math.max(1, Math.floor((t.capacityGiB! * GIB) / bpb));
    return { capacityBlocks, bandwidthGBps, latencyUs: t.latencyUs, write: t.write };
  };
  const pcie = cluster.gpu.pcieGBps !== undefined ? cluster.gpu.pcieGBps * cluster.tensorParallel : undefined;
  return {
    cpu: spec.cpu ? tier(spec.cpu, pcie) : undefined,
    remote: spec.remote ? tier(spec.remote, undefined) : undefined,
    loadRule: spec.loadRule,
  };
}

/** The KV tiers and disaggregation of one cell, or null when its policy uses neither. */
export function buildCellKv(policy: PolicyEntry, cluster: ResolvedCluster, cost: CostModel, ctx: PolicyContext): KvTiers | null {
  if (!policy.kvTiers && !policy.disaggregation) return null;
  const tiers = policy.kvTiers;
  const d = policy.disaggregation;
  return buildKvTiers(
    {
      instanceIds: Array.from({ length: cluster.instances }, (_, i) => `i${i}`),
      blockSize: cluster.engine.blockSize,
      kvBytesPerBlock: cluster.capacity.kvBytesPerBlock,
      maxNumBatchedTokens: cluster.engine.maxNumBatchedTokens,
      cost,
      evictionFor: (t) => instantiatePolicy('eviction', (t === 'cpu' ? tiers!.cpu! : tiers!.remote!).eviction, ctx),
    },
    resolveKvTiers(tiers, cluster),
    d ? { prefillInstances: d.prefillInstances, bandwidthGBps: d.bandwidthGBps * cluster.tensorParallel, latencyUs: d.latencyUs } : undefined,
  );
}

/** The KV-tier / disaggregation summary metrics of one cell (zeros and NaN where it has neither). */
export function kvSummary(
  kv: KvTiers | null, requests: Rows<RequestRecord>, busyUs: readonly number[], blockSize: number,
): Summary {
  return kvTierFigures({
    requests,
    instances: busyUs.map((b, i) => ({ busyUs: b, role: kv?.roles[i] ?? 'mixed' })),
    blockSize,
    counters: kv ? kvTierCounters(kv) : NO_COUNTERS,
    tierLoadUs: kv?.ledger.tierLoadUs ?? [],
    pd: kv?.ledger.pd ?? new Map(),
  });
}
