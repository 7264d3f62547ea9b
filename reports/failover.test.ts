import { describe, expect, it } from 'vitest';
import { clusterThroughput, failoverFigures, timeToRecoverUs, type FaultTimes } from './failover.js';
import type { RequestRecord, WorkflowRecord } from './records.js';
import type { InstanceSample } from './timeseries.js';

/** Two instances sampled every second; `rate(tS)` = cluster tokens/s of the round ending at tS. */
function samples(untilS: number, rate: (tS: number) => number): InstanceSample[] {
  const out: InstanceSample[] = [];
  for (let t = 0; t <= untilS; t++) {
    const r = t === 0 ? 0 : rate(t);
    for (const instance of ['i0', 'i1']) {
      out.push({ tMs: t * 1000, instance, kvUsage: 0, running: 0, waiting: 0, healthy: true, tokens: r / 2, state: 'ok', prefillTokens: 0, decodeTokens: r / 2 });
    }
  }
  return out;
}

describe('time to recover', () => {
  it('sums instances per round', () => {
    const s = clusterThroughput(samples(3, (t) => t * 10), 1e6);
    expect(s).toEqual({ tUs: [0, 1e6, 2e6, 3e6], rate: [0, 10, 20, 30] });
  });

  it('a dip to half for 10 s: recovered when the first round is back and the next 10 s stay back', () => {
    const s = clusterThroughput(samples(120, (t) => (t > 60 && t <= 70 ? 50 : 100)), 1e6);
    // Rounds ending 61..70 s are at 50 %; the round ending at 71 s (covering 70-71 s) is back.
    expect(timeToRecoverUs(s, 1e6, 60.5e6)).toBe(9.5e6);
  });

  it('about 0 when the cluster absorbed the fault; NaN when it never came back or had no baseline', () => {
    const flat = clusterThroughput(samples(120, () => 100), 1e6);
    expect(timeToRecoverUs(flat, 1e6, 60.5e6)).toBe(0.5e6);
    const dead = clusterThroughput(samples(120, (t) => (t > 60 ? 30 : 100)), 1e6);
    expect(timeToRecoverUs(dead, 1e6, 60.5e6)).toBeNaN();
    expect(timeToRecoverUs(flat, 1e6, 0)).toBeNaN();
  });
});

describe('failover figures', () => {
  const req = (workflowId: string, nodeId: string, attempt: number, outcome: RequestRecord['outcome']): RequestRecord => ({
    id: `${workflowId}/${nodeId}`, workload: 'w', workflowId, nodeId, agentId: 'a', instance: 'i0', outcome, reason: '', attempt,
    sendUs: 0, firstTokenUs: NaN, endUs: 1, queueUs: NaN, promptTokens: 10, cachedPromptTokens: 0, crossAgentCachedTokens: 0,
    outputTokens: 1, preemptions: 0,
  });
  const wf = (id: string, startS: number, endS: number, outcome: WorkflowRecord['outcome'] = 'completed'): WorkflowRecord => ({
    id, workload: 'w', pattern: 'p', outcome, reason: '', arrivalUs: startS * 1e6, startUs: startS * 1e6, endUs: endS * 1e6,
    criticalPathUs: NaN, calls: 1, stepsOk: 1, stepsFailed: 0, retries: 0, affinity: 1,
  });
  const fault: FaultTimes = {
    kind: 'crash', instance: 'i0', atUs: 10e6, endUs: 40e6, detectedUs: 12e6, rejoinedUs: 45e6, attemptsFailed: 2, lostKvBlocks: 3, factor: 1,
  };

  it('counts retried / recovered / lost calls, detection, and the makespan of workflows in flight at the fault', () => {
    const f = failoverFigures({
      requests: [
        req('a', 'n1', 0, 'failed'), req('a', 'n1', 1, 'ok'), // recovered
        req('a', 'n2', 0, 'ok'),
        req('b', 'n1', 0, 'timeout'), req('b', 'n1', 1, 'failed'), // lost after a retry
        req('c', 'n1', 0, 'ok'), req('c', 'n1', 1, 'ok'), // re-run by a restart: retried, not recovered
      ],
      workflows: [wf('a', 9, 15), wf('b', 9, 12, 'failed'), wf('c', 20, 23), wf('d', 1, 4), wf('e', 8, 14)],
      faults: [fault], samples: [], sampleIntervalUs: 1e6, recomputedPrefillTokens: 77, blockSize: 16,
    });
    expect(f.summary).toMatchObject({
      faultsInjected: 1, requestsRetried: 3, requestsRecovered: 1, requestsLost: 1, workflowsRecovered: 1,
      recomputedPrefillTokens: 77, lostKvTokens: 48, timeToDetectMs: 2000, faultsUndetected: 0,
      workflowsAtFault: 2, makespanMsP50AtFault: 6000, makespanMsP50NoFault: 3000, makespanInflationAtFault: 2,
    });
    expect(f.faults).toEqual([{
      kind: 'crash', instance: 'i0', atMs: 10000, durationMs: 30000, timeToDetectMs: 2000, timeToRejoinMs: 35000,
      timeToRecoverMs: null, attemptsFailed: 2, lostKvTokens: 48,
    }]);
  });
});
