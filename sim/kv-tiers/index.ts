export { TransferLink } from './link.js';
export { KvTierStore } from './tier-store.js';
export { SimKvConnector, type TierAccess, type LoadRule, type KvConnectorStats, type SimKvConnectorOptions } from './connector.js';
export { KvLedger, PdCoordinator, type PdRecord } from './ledger.js';
export { prefillUs, savedComputeUs } from './load-rule.js';
export {
  buildKvTiers, kvTierCounters, checkKvTiers,
  type KvTiers, type KvTiersConfig, type TierConfig, type DisaggregationConfig, type KvClusterFacts, type InstanceLinks,
} from './build.js';
