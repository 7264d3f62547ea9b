import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { KvTierCounters } from './counters.js';
import type { CostModel } from '../cost-model/types.js';
import { SimKvConnector, type LoadRule, type TierAccess } from './connector.js';
import { KvLedger, PdCoordinator } from './ledger.js';
import { TransferLink } from './link.js';
import { KvTierStore } from './tier-store.js';

/** One tier as a scenario configures it (bandwidth resolved to GB/s per direction). */
export interface TierConfig {
  readonly capacityBlocks: number;
  readonly bandwidthGBps: number;
  readonly latencyUs: number;
  readonly write: 'through' | 'evict';
}

/** KV tiers of a run: each instance's CPU tier and one remote store shared by all. */
export interface KvTiersConfig {
  readonly cpu?: TierConfig | undefined;
  readonly remote?: TierConfig | undefined;
  readonly loadRule: LoadRule;
}

/** Prefill/decode disaggregation: the first `prefillInstances` instances prefill, the rest decode. */
export interface DisaggregationConfig {
  readonly prefillInstances: number;
  /** Per-direction bandwidth and latency of each instance's link for KV transfers. */
  readonly bandwidthGBps: number;
  readonly latencyUs: number;
}

/** What {@link buildKvTiers} needs to know about the cluster. */
export interface KvClusterFacts {
  readonly instanceIds: readonly string[];
  readonly blockSize: number;
  readonly kvBytesPerBlock: number;
  readonly maxNumBatchedTokens: number;
  readonly cost: CostModel;
  /** A fresh eviction policy for one tier (the tier's own, LRU by default). */
  evictionFor(tier: 'cpu' | 'remote'): EvictionPolicy;
}

/** Links of one instance (one direction each). */
export interface InstanceLinks {
  readonly cpuLoad?: TransferLink;
  readonly cpuStore?: TransferLink;
  readonly remoteLoad?: TransferLink;
  readonly remoteStore?: TransferLink;
  readonly pdOut?: TransferLink;
  readonly pdIn?: TransferLink;
}

/** Everything the KV tiers and disaggregation of one run consist of. */
export interface KvTiers {
  readonly connectors: readonly SimKvConnector[];
  readonly links: readonly InstanceLinks[];
  readonly cpuStores: readonly KvTierStore[];
  readonly remoteStore: KvTierStore | null;
  readonly pd: PdCoordinator | null;
  readonly ledger: KvLedger;
  /** Role of each instance. */
  readonly roles: readonly ('mixed' | 'prefill' | 'decode')[];
}

/** Build one connector per instance, the stores and the links. */
export function buildKvTiers(facts: KvClusterFacts, tiers: KvTiersConfig | undefined, pd: DisaggregationConfig | undefined): KvTiers {
  const ledger = new KvLedger();
  const remoteStore = tiers?.remote ? new KvTierStore('remote', tiers.remote.capacityBlocks, facts.evictionFor('remote')) : null;
  const coordinator = pd ? new PdCoordinator() : null;
  const connectors: SimKvConnector[] = [];
  const links: InstanceLinks[] = [];
  const cpuStores: KvTierStore[] = [];
  const roles = facts.instanceIds.map((_, i) => (pd ? (i < pd.prefillInstances ? 'prefill' : 'decode') : 'mixed') as 'mixed' | 'prefill' | 'decode');
  facts.instanceIds.forEach((id, i) => {
    const l: { -readonly [K in keyof InstanceLinks]: InstanceLinks[K] } = {};
    let cpu: TierAccess | null = null;
    let remote: TierAccess | null = null;
    if (tiers?.cpu) {
      const c = tiers.cpu;
      const store = new KvTierStore(`cpu:${id}`, c.capacityBlocks, facts.evictionFor('cpu'));
      cpuStores.push(store);
      l.cpuLoad = new TransferLink(`${id} pcie h2d`, c.bandwidthGBps, c.latencyUs);
      l.cpuStore = new TransferLink(`${id} pcie d2h`, c.bandwidthGBps, c.latencyUs);
      cpu = { store, loadLink: l.cpuLoad, storeLink: l.cpuStore, write: c.write };
    }
    if (tiers?.remote && remoteStore) {
      const r = tiers.remote;
      l.remoteLoad = new TransferLink(`${id} remote in`, r.bandwidthGBps, r.latencyUs);
      l.remoteStore = new TransferLink(`${id} remote out`, r.bandwidthGBps, r.latencyUs);
      remote = { store: remoteStore, loadLink: l.remoteLoad, storeLink: l.remoteStore, write: r.write };
    }
    if (pd) {
      l.pdOut = new TransferLink(`${id} kv out`, pd.bandwidthGBps, pd.latencyUs);
      l.pdIn = new TransferLink(`${id} kv in`, pd.bandwidthGBps, pd.latencyUs);
    }
    links.push(l);
    connectors.push(new SimKvConnector({
      instanceId: id, blockSize: facts.blockSize, kvBytesPerBlock: facts.kvBytesPerBlock, cost: facts.cost,
      chunkTokens: facts.maxNumBatchedTokens, cpu, remote, loadRule: tiers?.loadRule ?? 'cheaper',
      pd: roles[i] === 'decode' ? coordinator : null, ledger,
    }));
  });
  return { connectors, links, cpuStores, remoteStore, pd: coordinator, ledger, roles };
}

/** The run's tier totals, summed over instances (for the report). */
export function kvTierCounters(t: KvTiers): KvTierCounters {
  const sum = (f: (i: number) => number): number => t.connectors.reduce((s, _, i) => s + f(i), 0);
  const st = (i: number) => t.connectors[i]!.stats;
  return {
    cpuHitBlocks: sum((i) => st(i).cpuHitBlocks),
    remoteHitBlocks: sum((i) => st(i).remoteHitBlocks),
    loads: sum((i) => st(i).loads),
    loadsDeclined: sum((i) => st(i).loadsDeclined),
    loadUs: sum((i) => st(i).loadUs),
    savedComputeUs: sum((i) => st(i).savedComputeUs),
    cpuLoadedBytes: sum((i) => t.links[i]!.cpuLoad?.bytes ?? 0),
    cpuStoredBytes: sum((i) => t.links[i]!.cpuStore?.bytes ?? 0),
    remoteLoadedBytes: sum((i) => t.links[i]!.remoteLoad?.bytes ?? 0),
    remoteStoredBytes: sum((i) => t.links[i]!.remoteStore?.bytes ?? 0),
    cpuEvictions: t.cpuStores.reduce((s, c) => s + c.evictions, 0),
    remoteEvictions: t.remoteStore?.evictions ?? 0,
    pdBytes: sum((i) => st(i).pdBytes),
  };
}

/**
 * End-of-run checks: no load left in flight, lookups' pins released, every tier conserving its
 * slots with each hash stored once.
 */
export function checkKvTiers(t: KvTiers, nowUs: number, drained: boolean): void {
  for (const c of t.connectors) {
    c.dropPlan(nowUs);
    if (drained) c.checkDrained();
  }
  for (const s of t.cpuStores) s.checkInvariants();
  t.remoteStore?.checkInvariants();
}
