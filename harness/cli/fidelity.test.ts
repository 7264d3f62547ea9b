import { describe, expect, it } from 'vitest';
import type { FidelitySummary } from '../../sim/cost-model/fidelity/evaluate.js';
import { fidelityText } from './fidelity.js';

const row = (category: FidelitySummary['category'], split: FidelitySummary['split'], medianAbsError: number): FidelitySummary =>
  ({ category, split, n: 3, medianAbsError, maxAbsError: 0.2, failures: 0, ungated: 0 });

describe('agentbench fidelity: the summary against issue 17\'s targets', () => {
  it('says met or NOT met for held-out medians, with two decimals, and nothing for fit rows', () => {
    const text = fidelityText([], [
      row('operator', 'fit', 0.0155),
      row('operator', 'held-out', 0.0505), // 5.05 % > 5 %: one decimal would print a misleading 5.0 %
      row('attention', 'held-out', 0.1466), // no target
      row('tpot', 'held-out', 0.0429),
      row('ttft', 'held-out', 0.1),         // exactly at 10 %: met
    ], false);
    const lines = text.split('\n').filter((l) => /^\s+(operator|attention|tpot|ttft)\s/.test(l)).map((l) => l.trim().split(/\s{2,}/));
    expect(lines.map((l) => [l[0], l[1], l[3], l[7] ?? ''])).toEqual([
      ['operator', 'fit', '1.55%', ''],
      ['operator', 'held-out', '5.05%', '≤ 5%: NOT met'],
      ['attention', 'held-out', '14.66%', ''],
      ['tpot', 'held-out', '4.29%', '≤ 5%: met'],
      ['ttft', 'held-out', '10.00%', '≤ 10%: met'],
    ]);
  });
});
