import { describe, expect, it } from 'vitest';
import { TEST_BLOCK_BYTES, tierRig } from './testing.js';
import { TransferLink } from './link.js';

describe('prefill/decode disaggregation: the KV moves from the prefill to the decode instance', () => {
  it('conserves tokens and blocks across the transfer, at the stated cost (hand-computed)', () => {
    // i0 prefills, i1 decodes; each has a 1 GB/s link (64 µs a block) with 10 µs latency.
    const rig = tierRig(2, undefined, { prefillInstances: 1, bandwidthGBps: 1, latencyUs: 10 });
    const [p, d] = rig.engines as [typeof rig.engines[0], typeof rig.engines[0]];
    let prefillDoneUs = NaN;
    const probes: Record<string, unknown> = {};
    // The prefill phase: max_tokens 1, blocks held after it finishes (the router does this).
    rig.submit(0, 0, 'r', [['prompt', 100]], 1, {
      hold: true,
      onFinished: (_r, now) => {
        prefillDoneUs = now;
        rig.kv.ledger.prefillDone('r', 'i0', now);
        rig.submit(1, now, 'r', [['prompt', 100]], 5, { kvTransfer: 'i0' });
      },
    });
    rig.clock.at(2200, 'sample', () => {
      probes['during'] = { pHeld: p.numHeld, pFree: p.kv.pool.numFree, dLoading: d.numLoading, dBlocks: d.get('r')!.blocks.length };
    });
    rig.clock.run();
    // Prefill on i0: 1000 + 10 × 100 = 2000 µs. The prompt's 7 blocks (6 full, 1 partial) go
    // i0 → i1: 7 × 64 + 10 = 458 µs, landing at 2458. i1 then recomputes only the last prompt
    // token (vLLM: a full hit leaves one token to compute): 1000 + 10 = 1010 → first token at
    // 3468; four decode steps of 1005 µs follow.
    expect(prefillDoneUs).toBe(2000);
    expect(rig.trace.get('r')!.tokens).toEqual([3468, 4473, 5478, 6483, 7488]);
    // While the KV moves, i0 holds the 7 blocks and i1 has allocated 7 for them.
    expect(probes['during']).toEqual({ pHeld: 1, pFree: 999 - 7, dLoading: 1, dBlocks: 7 });
    // Then i0 frees them; i1 caches the 6 full prompt blocks it received.
    expect(p.numHeld).toBe(0);
    expect(p.kv.pool.numFree).toBe(999);
    expect(d.kv.pool.numCachedBlocks).toBe(6);
    // Tokens: i0 computed the 100 prompt tokens and one discarded token; i1 the last prompt
    // token again, then the 5 output tokens (4 decodes after the first).
    expect(p.counters).toMatchObject({ prefillTokens: 100, decodeTokens: 0, outputTokens: 1, finished: 1 });
    expect(d.counters).toMatchObject({ prefillTokens: 1, decodeTokens: 4, outputTokens: 5, finished: 1 });
    // Bytes: 7 blocks left i0 and reached i1.
    expect(rig.kv.links[0]!.pdOut!.bytes).toBe(7 * TEST_BLOCK_BYTES);
    expect(rig.kv.links[1]!.pdIn!.bytes).toBe(7 * TEST_BLOCK_BYTES);
    expect(rig.kv.connectors[1]!.stats).toMatchObject({ pdLoads: 1, pdBytes: 7 * TEST_BLOCK_BYTES });
    expect(rig.kv.ledger.pd.get('r')).toEqual({
      prefillInstance: 'i0', prefillDoneUs: 2000, transferStartUs: 2000, transferDoneUs: 2458, transferBytes: 7 * TEST_BLOCK_BYTES,
    });
    p.checkInvariants();
    d.checkInvariants();
    expect(p.numRequests + d.numRequests).toBe(0);
  });

  it('transfers out of one prefill instance queue on its link (contention)', () => {
    const rig = tierRig(3, undefined, { prefillInstances: 1, bandwidthGBps: 0.1, latencyUs: 10 });
    const done: Record<string, number> = {};
    for (const [id, dst] of [['x', 1], ['y', 2]] as const) {
      rig.submit(0, 0, id, [[id, 100]], 1, {
        hold: true,
        onFinished: (_r, now) => {
          rig.kv.ledger.prefillDone(id, 'i0', now);
          rig.submit(dst, now, id, [[id, 100]], 2, { kvTransfer: 'i0' });
        },
      });
    }
    rig.clock.run();
    for (const id of ['x', 'y']) done[id] = rig.kv.ledger.pd.get(id)!.transferDoneUs;
    // At 0.1 GB/s a block takes 640 µs. x is prefilled by 2000 and its 7 blocks leave i0 until
    // 6480 (landing at 6490); y, prefilled by 4000, waits for i0's egress link until 6480 and
    // lands at 6480 + 4480 + 10, although it goes to another decode instance.
    expect(done).toEqual({ x: 6490, y: 10_970 });
    expect(rig.kv.links[0]!.pdOut!.busyUs).toBeCloseTo(8960, 6);
  });
});

describe('TransferLink', () => {
  it('serialises transfers at its bandwidth and adds latency after each', () => {
    const l = new TransferLink('l', 2, 5); // 2,000 bytes/µs
    expect(l.reserve(4000, 100)).toBe(107);
    expect(l.reserve(4000, 100)).toBe(109); // queued behind the first
    expect(l.estimateDoneUs(2000, 200)).toBe(206); // idle again by 200
    expect(l).toMatchObject({ bytes: 8000, busyUs: 4, transfers: 2 });
  });
});
