import { describe, expect, it } from 'vitest';
import { countMutants, score } from './mutation-scores.js';

describe('mutation scores from the incremental state', () => {
  it('counts killed and timed-out mutants over all but runtime errors, per matching file', () => {
    const state = { files: {
      'policies/a.ts': { mutants: [{ status: 'Killed' }, { status: 'Killed' }, { status: 'Timeout' }, { status: 'Survived' }, { status: 'RuntimeError' }] },
      'policies/b.ts': { mutants: [{ status: 'NoCoverage' }, { status: 'Killed' }] },
      'sim/c.ts': { mutants: [{ status: 'Survived' }] },
    } };
    const c = countMutants(state, (f) => f.startsWith('policies/'));
    expect(c).toEqual({ killed: 3, timeout: 1, survived: 1, noCoverage: 1 });
    expect(score(c)).toBe('66.7 %'); // (3 + 1) / (3 + 1 + 1 + 1) = 4 / 6
    expect(score(countMutants(state, (f) => f === 'sim/c.ts'))).toBe('0.0 %');
    expect(score(countMutants(state, () => false))).toBe('–');
  });
});
