/** Totals of the KV tiers of one run (summed over instances). */
export interface KvTierCounters {
  readonly cpuHitBlocks: number;
  readonly remoteHitBlocks: number;
  readonly loads: number;
  readonly loadsDeclined: number;
  readonly loadUs: number;
  readonly savedComputeUs: number;
  readonly cpuLoadedBytes: number;
  readonly cpuStoredBytes: number;
  readonly remoteLoadedBytes: number;
  readonly remoteStoredBytes: number;
  readonly cpuEvictions: number;
  readonly remoteEvictions: number;
  readonly pdBytes: number;
}
