import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { BlockOwners } from './block-owners.js';

describe('BlockOwners', () => {
  it('answers each block\'s last owner like a per-block pair of ids, with slots bounded by the blocks', () => {
    const n = 40;
    const owners = new BlockOwners(n);
    const wf: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
    const agent: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
    const rng = new SeededRng(11);
    for (let op = 0; op < 3000; op++) {
      // Few and many distinct owners, undefined ids, runs of one owner over several blocks.
      const w = rng.float() < 0.1 ? undefined : `w${rng.int(op < 1500 ? 5 : 500)}`;
      const a = rng.float() < 0.1 ? undefined : `a${rng.int(3)}`;
      owners.begin(w, a);
      for (let k = rng.int(6); k > 0; k--) {
        const b = rng.int(n);
        owners.stamp(b);
        wf[b] = w;
        agent[b] = a;
      }
      for (let b = 0; b < n; b++) {
        expect(owners.workflowId(b)).toBe(wf[b]);
        expect(owners.agentId(b)).toBe(agent[b]);
      }
      owners.check();
      expect(owners.numSlots).toBeLessThanOrEqual(n + 2);
    }
  });

  it('reuses a slot once no block holds it, and says so when the counts are broken', () => {
    const owners = new BlockOwners(3);
    expect([owners.workflowId(0), owners.agentId(0)]).toEqual([undefined, undefined]);
    owners.begin('w1', 'a');
    owners.stamp(0);
    owners.begin('w2', 'a');
    owners.stamp(0); // w1's slot (1) holds nothing now: freed
    owners.begin('w3', 'b'); // takes slot 1 back instead of growing
    owners.stamp(1);
    expect(owners.numSlots).toBe(3); // slot 0 (no owner), w2's and w3's
    expect([owners.workflowId(0), owners.workflowId(1), owners.agentId(1)]).toEqual(['w2', 'w3', 'b']);
    owners.begin('w4', 'b');
    owners.begin('w5', 'b'); // w4 stamped nothing: its slot is taken over, not leaked
    owners.stamp(2);
    expect(owners.numSlots).toBe(4);
    owners.check();
  });
});
