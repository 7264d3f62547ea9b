import { describe, expect, it } from 'vitest';
import { kvTierFigures, NO_COUNTERS, type PdTimes } from './kv-tiers.js';
import type { RequestRecord } from './records.js';

const GIB = 1024 ** 3;
const req = (id: string, outcome: RequestRecord['outcome'], sendUs: number, firstTokenUs: number, endUs: number, promptTokens: number): RequestRecord => ({
  id, workload: 'w', workflowId: 'wf', nodeId: id, agentId: 'a', instance: 'd0', outcome, reason: '', attempt: 0, sendUs, firstTokenUs, endUs,
  queueUs: 0, promptTokens, cachedPromptTokens: 0, crossAgentCachedTokens: 0, outputTokens: 1, preemptions: 0,
});

describe('kvTierFigures', () => {
  it('computes tier hit rates, bytes, load times, disaggregation phases and pool utilisation of a hand-worked run', () => {
    const pd = new Map<string, PdTimes>([
      // r1: prefill phase 10 ms, decode queue 2 ms, transfer 8 ms, first token 30 − 20 = 10 ms after the KV landed.
      ['r1', { prefillDoneUs: 10_000, transferStartUs: 12_000, transferDoneUs: 20_000 }],
      // r2 (sent at 20 ms): prefill phase 20 ms, queue 4 ms, transfer 16 ms, first token 10 ms after.
      ['r2', { prefillDoneUs: 40_000, transferStartUs: 44_000, transferDoneUs: 60_000 }],
      // r3 failed: its phases are left out.
      ['r3', { prefillDoneUs: 55_000, transferStartUs: 55_000, transferDoneUs: 90_000 }],
    ]);
    const figures = kvTierFigures({
      requests: [req('r1', 'ok', 0, 30_000, 60_000, 320), req('r2', 'ok', 20_000, 70_000, 100_000, 160), req('r3', 'failed', 50_000, NaN, 80_000, 999)],
      instances: [{ busyUs: 60_000, role: 'prefill' }, { busyUs: 30_000, role: 'decode' }, { busyUs: 50_000, role: 'decode' }],
      blockSize: 16,
      counters: {
        ...NO_COUNTERS, cpuHitBlocks: 6, remoteHitBlocks: 3, loads: 9, loadsDeclined: 2, loadUs: 1_500_000, savedComputeUs: 2_500_000,
        cpuLoadedBytes: 2 * GIB, cpuStoredBytes: GIB / 2, remoteLoadedBytes: GIB / 4, remoteStoredBytes: 3 * GIB, cpuEvictions: 4, remoteEvictions: 1, pdBytes: GIB / 2,
      },
      tierLoadUs: [1000, 3000, 2000],
      pd,
    });
    expect(figures).toEqual({
      // Prompt tokens of the ok requests 320 + 160 = 480: CPU 6 blocks · 16 = 96 → 0.2; remote 3 · 16 = 48 → 0.1.
      kvCpuHitRate: 0.2, kvRemoteHitRate: 0.1,
      kvCpuLoadedGiB: 2, kvCpuStoredGiB: 0.5, kvRemoteLoadedGiB: 0.25, kvRemoteStoredGiB: 3,
      kvLoads: 9, kvLoadsDeclined: 2,
      // Loads [1000, 3000, 2000] µs: mean 2 ms; type-7 p99 of [1, 2, 3] ms: h 1.98 → 2 + 0.98 = 2.98.
      kvLoadMsMean: 2, kvLoadMsP99: 2.98,
      kvLoadS: 1.5, kvSavedComputeS: 2.5,
      engineBusyS: 0.14, // (60 000 + 30 000 + 50 000) µs
      kvCpuEvictions: 4, kvRemoteEvictions: 1,
      // Transfers [8, 16] ms: p50 12, p99 8 + 0.99·8 = 15.92, mean 12.
      pdTransferMsP50: 12, pdTransferMsP99: 15.92, pdTransferMsMean: 12, pdTransferGiB: 0.5,
      // Prefill phases [10, 20]: 15, 19.9. Decode queues [2, 4]: 3, 3.98. First tokens [10, 10]: 10, 10.
      pdPrefillPhaseMsP50: 15, pdPrefillPhaseMsP99: 19.9,
      pdDecodeQueueMsP50: 3, pdDecodeQueueMsP99: 3.98,
      pdDecodeFirstTokenMsP50: 10, pdDecodeFirstTokenMsP99: 10,
      // Window 0 → 100 000 µs (every request counts for it). Prefill pool 60 000 / (100 000 · 1) = 0.6;
      // decode pool 80 000 / (100 000 · 2) = 0.4; all 140 000 / (100 000 · 3) = 0.466667.
      utilPrefillPool: 0.6, utilDecodePool: 0.4, utilMean: 0.466667,
    });
  });

  it('a run without requests, tiers or disaggregation: rates 0, times and utilisation NaN', () => {
    const f = kvTierFigures({ requests: [], instances: [{ busyUs: 10, role: 'mixed' }], blockSize: 16, counters: NO_COUNTERS, tierLoadUs: [], pd: new Map() });
    expect([f['kvCpuHitRate'], f['kvRemoteHitRate'], f['kvLoads'], f['engineBusyS']]).toEqual([0, 0, 0, 0.00001]);
    for (const k of ['kvLoadMsMean', 'kvLoadMsP99', 'pdTransferMsP50', 'pdTransferMsMean', 'utilPrefillPool', 'utilDecodePool', 'utilMean']) expect(f[k], k).toBeNaN();
  });

  it('utilisation of a pool with no instance of that role is NaN, the others still computed', () => {
    const f = kvTierFigures({
      requests: [req('r', 'ok', 0, 1000, 2000, 10)], instances: [{ busyUs: 500, role: 'mixed' }], blockSize: 16, counters: NO_COUNTERS, tierLoadUs: [], pd: new Map(),
    });
    expect(f['utilPrefillPool']).toBeNaN();
    expect(f['utilDecodePool']).toBeNaN();
    expect(f['utilMean']).toBe(0.25); // 500 / (2000 · 1)
  });
});
