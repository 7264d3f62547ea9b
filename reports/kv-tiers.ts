import type { RequestRecord } from './records.js';
import { mean, percentiles, roundTo } from './stats.js';
import type { Summary } from './summary.js';
import type { KvTierCounters } from '../sim/kv-tiers/counters.js';
import type { Rows } from './request-table.js';

export type { KvTierCounters };

/** Counters of a run without KV tiers (and the input that names the metrics up front). */
export const NO_COUNTERS: KvTierCounters = {
  cpuHitBlocks: 0, remoteHitBlocks: 0, loads: 0, loadsDeclined: 0, loadUs: 0, savedComputeUs: 0, cpuLoadedBytes: 0,
  cpuStoredBytes: 0, remoteLoadedBytes: 0, remoteStoredBytes: 0, cpuEvictions: 0, remoteEvictions: 0, pdBytes: 0,
};


/** One disaggregated request's phase times, µs. */
export interface PdTimes {
  readonly prefillDoneUs: number;
  readonly transferStartUs: number;
  readonly transferDoneUs: number;
}

/** What the KV-tier and disaggregation figures are computed from. */
export interface KvFiguresInput {
  readonly requests: Rows<RequestRecord>;
  readonly instances: readonly { readonly busyUs: number; readonly role: 'mixed' | 'prefill' | 'decode' }[];
  readonly blockSize: number;
  readonly counters: KvTierCounters;
  /** Duration of every tier load, µs. */
  readonly tierLoadUs: readonly number[];
  /** Disaggregated requests by id. */
  readonly pd: ReadonlyMap<string, PdTimes>;
}

const GIB = 1024 ** 3;

/**
 * Summary metrics of KV tiers and prefill/decode disaggregation (emitted for every policy of a
 * scenario that uses either, so the policies compare column by column):
 * - `kvCpuHitRate`, `kvRemoteHitRate`: prompt tokens loaded from each tier / prompt tokens of
 *   successful requests (the GPU's own hits are in `engineCacheHitRate`);
 * - `kv{Cpu,Remote}{Loaded,Stored}GiB`: bytes moved per tier and direction;
 * - `kvLoads`, `kvLoadsDeclined` (hits the load rule left to recompute), `kvLoadMsMean/P99`;
 * - `kvLoadS` (Σ load time) vs `engineBusyS` (Σ instance compute time), and
 *   `kvSavedComputeS` (Σ prefill time the loads replaced, by the cost model);
 * - `pdTransferMs*` (prefill done → KV landed on the decode instance, queueing included),
 *   `pdPrefillPhaseMs*` (client send → prefill done), `pdDecodeQueueMs*` (prefill done → the
 *   decode instance admits it and starts the pull: routing and waiting for decode KV room),
 *   `pdDecodeFirstTokenMs*` (KV landed → first token): with the transfer, the parts of a
 *   disaggregated request's TTFT; `pdTransferGiB`;
 * - `utilPrefillPool`, `utilDecodePool`, `utilMean`: busy time / (active window × instances).
 */
export function kvTierFigures(d: KvFiguresInput): Summary {
  const c = d.counters;
  let prompt = 0;
  let first = Infinity;
  let last = -Infinity;
  const transfer: number[] = [];
  const prefillPhase: number[] = [];
  const decodeFirst: number[] = [];
  const decodeQueue: number[] = [];
  // One pass over the calls (a cell's table may hold millions): the window over all, the rest over the successful ones.
  for (const r of d.requests) {
    if (r.sendUs < first) first = r.sendUs;
    if (r.endUs > last) last = r.endUs;
    if (r.outcome !== 'ok') continue;
    prompt += r.promptTokens;
    const p = d.pd.get(r.id);
    if (!p) continue;
    transfer.push((p.transferDoneUs - p.transferStartUs) / 1000);
    prefillPhase.push((p.prefillDoneUs - r.sendUs) / 1000);
    decodeQueue.push((p.transferStartUs - p.prefillDoneUs) / 1000);
    decodeFirst.push((r.firstTokenUs - p.transferDoneUs) / 1000);
  }
  const windowUs = last > first ? last - first : NaN;
  const [t50, t99] = percentiles(transfer, [50, 99]);
  const [p50, p99] = percentiles(prefillPhase, [50, 99]);
  const [f50, f99] = percentiles(decodeFirst, [50, 99]);
  const [q50, q99] = percentiles(decodeQueue, [50, 99]);
  const [l99] = percentiles(d.tierLoadUs, [99]);
  const util = (role?: 'prefill' | 'decode'): number => {
    const pool = role ? d.instances.filter((i) => i.role === role) : d.instances;
    if (pool.length === 0 || !Number.isFinite(windowUs)) return NaN;
    return pool.reduce((s, i) => s + i.busyUs, 0) / (windowUs * pool.length);
  };
  let busy = 0;
  for (const i of d.instances) busy += i.busyUs;
  const out: Summary = {
    kvCpuHitRate: prompt > 0 ? (c.cpuHitBlocks * d.blockSize) / prompt : 0,
    kvRemoteHitRate: prompt > 0 ? (c.remoteHitBlocks * d.blockSize) / prompt : 0,
    kvCpuLoadedGiB: c.cpuLoadedBytes / GIB,
    kvCpuStoredGiB: c.cpuStoredBytes / GIB,
    kvRemoteLoadedGiB: c.remoteLoadedBytes / GIB,
    kvRemoteStoredGiB: c.remoteStoredBytes / GIB,
    kvLoads: c.loads,
    kvLoadsDeclined: c.loadsDeclined,
    kvLoadMsMean: mean(d.tierLoadUs) / 1000,
    kvLoadMsP99: l99! / 1000,
    kvLoadS: c.loadUs / 1e6,
    kvSavedComputeS: c.savedComputeUs / 1e6,
    engineBusyS: busy / 1e6,
    kvCpuEvictions: c.cpuEvictions,
    kvRemoteEvictions: c.remoteEvictions,
    pdTransferMsP50: t50!, pdTransferMsP99: t99!, pdTransferMsMean: mean(transfer),
    pdTransferGiB: c.pdBytes / GIB,
    pdPrefillPhaseMsP50: p50!, pdPrefillPhaseMsP99: p99!,
    pdDecodeQueueMsP50: q50!, pdDecodeQueueMsP99: q99!,
    pdDecodeFirstTokenMsP50: f50!, pdDecodeFirstTokenMsP99: f99!,
    utilPrefillPool: util('prefill'),
    utilDecodePool: util('decode'),
    utilMean: util(),
  };
  for (const k of Object.keys(out)) out[k] = roundTo(out[k]!, 6);
  return out;
}
