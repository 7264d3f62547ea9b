import { describe, expect, it } from 'vitest';
import { hashBlocks, runTokens, type TokenRun } from '../../policies/kv/hash.js';
import { SeededRng } from '../../policies/rng.js';
import { TESTDATA, trace } from '../testdata/specs.js';
import { WorkloadSource, workloadSchema, type WorkloadSpec } from '../workload.js';
import type { LlmNode, Workflow } from '../workflow.js';
import { chainedBlockHashes, parseDatetimeUs, rowParser } from './rows.js';

function replay(spec: WorkloadSpec): { wfs: Workflow[]; skipped: number | undefined } {
  const src = new WorkloadSource(spec, new SeededRng(1), { baseDir: TESTDATA });
  const wfs: Workflow[] = [];
  try {
    for (let a = src.nextArrival(); a; a = src.nextArrival()) wfs.push(src.build(a));
  } finally {
    src.close();
  }
  return { wfs, skipped: src.traceStats?.skippedRows };
}

const call = (wf: Workflow) => wf.nodes[0] as LlmNode;
const prompt = (wf: Workflow) => call(wf).prompt!;
const lengths = (runs: readonly TokenRun[]) => runs.map((r) => r.length);
function commonBlocks(a: readonly TokenRun[], b: readonly TokenRun[], blockSize = 16): number {
  const ha = hashBlocks(a, blockSize);
  const hb = hashBlocks(b, blockSize);
  let k = 0;
  while (k < ha.length && k < hb.length && ha[k] === hb[k]) k++;
  return k;
}

describe('trace replay: Mooncake', () => {
  const spec = trace({ file: 'mooncake.jsonl', format: 'mooncake' });

  it('rows become one-call workflows at their recorded times', () => {
    const { wfs } = replay(spec);
    expect(wfs.map((w) => w.arrivalUs)).toEqual([0, 250_000, 500_000, 1_500_000, 1_750_000, 3_000_000]);
    expect(wfs.map((w) => runTokens(prompt(w)))).toEqual([1100, 1300, 600, 1536, 2000, 700]);
    expect(wfs.map((w) => call(w).outputTokens)).toEqual([20, 35, 12, 50, 8, 1]); // 0 -> 1 (a call yields a token)
    expect(wfs.map((w) => call(w).maxTokens)).toEqual([20, 35, 12, 50, 8, 1]);
  });

  it('hash ids are 512-token runs: prefix sharing survives at our block size', () => {
    const { wfs } = replay(spec);
    expect(lengths(prompt(wfs[0]!))).toEqual([512, 512, 76]);
    expect(lengths(prompt(wfs[4]!))).toEqual([512, 512, 512, 464]);
    // Rows 1 and 4 share ids [0, 1, 2]: row 1 has 1100 tokens = 68 full blocks of 16 (76 tokens
    // of id 2 give 4 full blocks after the 64 of ids 0, 1), all of them shared with row 4.
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[3]!))).toBe(68);
    // Rows 1 and 2 share ids [0, 1] only: 1024 tokens = 64 blocks.
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[1]!))).toBe(64);
    // Rows 3 and 5 share [4, 5]: row 3 has 600 tokens = 512 + 88 -> 32 + 5 full blocks.
    expect(commonBlocks(prompt(wfs[2]!), prompt(wfs[4]!))).toBe(37);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[2]!))).toBe(0);
  });



  it('timeScale, startS and limit', () => {
    expect(replay(trace({ file: 'mooncake.jsonl', format: 'mooncake', timeScale: 0.5 })).wfs.map((w) => w.arrivalUs))
      .toEqual([0, 125_000, 250_000, 750_000, 875_000, 1_500_000]);
    expect(replay(trace({ file: 'mooncake.jsonl', format: 'mooncake', startS: 0.4 })).wfs.map((w) => w.arrivalUs))
      .toEqual([100_000, 1_100_000, 1_350_000, 2_600_000]);
    expect(replay(trace({ file: 'mooncake.jsonl', format: 'mooncake', limit: 2 })).wfs.length).toBe(2);
    expect(replay(trace({ file: 'mooncake.jsonl', format: 'mooncake', durationS: 1.6 })).wfs.length).toBe(4);
  });

  it('loop: passes start one mean gap after the last row and do not share cache', () => {
    const { wfs } = replay(trace({ file: 'mooncake.jsonl', format: 'mooncake', loop: true, workflows: 14 }));
    expect(wfs.length).toBe(14);
    // Span 3 s over 6 rows: mean gap 0.6 s, so pass 2 starts at 3.6 s and pass 3 at 7.2 s.
    expect(wfs.slice(6, 8).map((w) => w.arrivalUs)).toEqual([3_600_000, 3_850_000]);
    expect(wfs[12]!.arrivalUs).toBe(7_200_000);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[6]!))).toBe(0);
    expect(commonBlocks(prompt(wfs[6]!), prompt(wfs[9]!))).toBe(68);
  });

  it('a malformed row is an error naming file:line, field and value', () => {
    const bad = trace({ file: 'mooncake-bad.jsonl', format: 'mooncake' });
    expect(() => replay(bad)).toThrow(/mooncake-bad\.jsonl:2: input_length: expected an integer from 1 to 10,000,000, found "abc" \(set skipBadRows: true/);
  });

  it('skipBadRows: bad rows are skipped and counted', () => {
    const { wfs, skipped } = replay(trace({ file: 'mooncake-bad.jsonl', format: 'mooncake', skipBadRows: true }));
    // Line 2 bad length, 3 not JSON, 5 goes back in time, 6 a negative hash id; 7 is blank.
    expect(skipped).toBe(4);
    expect(wfs.map((w) => w.arrivalUs)).toEqual([0, 300_000, 500_000]);
    const src = new WorkloadSource(trace({ file: 'mooncake-bad.jsonl', format: 'mooncake', skipBadRows: true }), new SeededRng(1), { baseDir: TESTDATA });
    for (let a = src.nextArrival(); a; a = src.nextArrival()) src.build(a);
    expect(src.traceStats!.skipped.map((s) => s.replace(/^.*mooncake-bad\.jsonl:/, ''))).toEqual([
      '2: input_length: expected an integer from 1 to 10,000,000, found "abc"',
      expect.stringMatching(/^3: invalid JSON/),
      expect.stringMatching(/^5: time goes backwards/),
      '6: hash_ids: expected block ids (non-negative integers or strings), found -1',
    ]);
  });


});

describe('trace replay: Azure LLM inference CSV', () => {
  it('reads TIMESTAMP (7 fraction digits), ContextTokens, GeneratedTokens', () => {
    const { wfs } = replay(trace({ file: 'azure.csv', format: 'azure' }));
    expect(wfs.map((w) => w.arrivalUs)).toEqual([0, 250_000, 1_000_000, 2_500_000, 4_000_000]);
    expect(wfs.map((w) => runTokens(prompt(w)))).toEqual([420, 1800, 95, 3000, 512]);
    expect(wfs.map((w) => call(w).outputTokens)).toEqual([30, 12, 250, 64, 1]);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[1]!))).toBe(0); // no hashes: nothing shared
  });

  it('bad rows (CRLF file): error with file:line, or skipped and counted', () => {
    expect(() => replay(trace({ file: 'azure-bad.csv', format: 'azure' })))
      .toThrow(/azure-bad\.csv:3: ContextTokens: expected an integer from 1 to 10,000,000, found "x"/);
    const { wfs, skipped } = replay(trace({ file: 'azure-bad.csv', format: 'azure', skipBadRows: true }));
    expect(skipped).toBe(3); // line 3 bad count, 4 hour 25, 5 missing a field
    expect(wfs.map((w) => w.arrivalUs)).toEqual([0, 4_000_000]);
  });

  it('parses date-times as UTC with µs precision', () => {
    expect(parseDatetimeUs('2024-01-02 03:04:05.1234567', 't') - parseDatetimeUs('2024-01-02 03:04:05', 't')).toBe(123_457);
    expect(() => parseDatetimeUs('2024-02-30x', 't')).toThrow(/expected a date-time/);
  });
});

describe('trace replay: generic CSV and JSONL with a column mapping', () => {
  const columns = { arrival: 't_ms', promptTokens: 'prompt', outputTokens: 'output', session: 'conversation', blockHashes: 'blocks' };

  it('CSV: quoted fields, sessions, block hashes of hashBlockTokens each', () => {
    const { wfs } = replay(trace({ file: 'generic.csv', format: 'csv', columns, timeUnit: 'ms', hashBlockTokens: 128 }));
    expect(wfs.map((w) => w.arrivalUs)).toEqual([0, 100_000, 250_000, 400_000]);
    expect(wfs.map((w) => w.sessionKey)).toEqual(['alice', 'bob', 'alice', undefined]);
    expect(lengths(prompt(wfs[0]!))).toEqual([128, 128, 44]);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[1]!))).toBe(16); // ids a, b = 256 tokens
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[2]!))).toBe(12); // row 3 has 200 tokens: a (128) + 72 of b -> 12 blocks
  });

  it('CSV: a missing column is an error at the header line', () => {
    expect(() => replay(trace({ file: 'generic.csv', format: 'csv', columns: { ...columns, session: 'nope' } })))
      .toThrow(/generic\.csv:1: header has no column 'nope'; columns: t_ms, prompt, output, conversation, blocks/);
  });

  it('JSONL: keys, seconds, optional fields', () => {
    const { wfs } = replay(trace({
      file: 'generic.jsonl', format: 'jsonl', hashBlockTokens: 64,
      columns: { arrival: 'at', promptTokens: 'in', outputTokens: 'out', session: 'sid', blockHashes: 'blk' },
    }));
    expect(wfs.map((w) => w.arrivalUs)).toEqual([0, 500_000, 1_250_000]);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[1]!))).toBe(4);
    expect(wfs[2]!.sessionKey).toBeUndefined();
  });

  it('schema: generic formats need columns; fixed formats refuse them; a loop needs a bound', () => {
    const issues = (raw: Record<string, unknown>) =>
      workloadSchema.safeParse({ name: 't', pattern: 'trace', ...raw }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ file: 'x.csv', format: 'csv' })).toEqual([expect.stringMatching(/^columns: format 'csv' needs `columns`/)]);
    expect(issues({ file: 'x', format: 'azure', columns })).toEqual([expect.stringMatching(/^columns: `columns` applies to the csv and jsonl/)]);
    expect(issues({ file: 'x', format: 'mooncake', loop: true })).toEqual(expect.arrayContaining([expect.stringMatching(/^loop: expected `workflows` or `durationS`/)]));
    expect(issues({ file: 'x', format: 'mooncake' })).toEqual([]);
  });

  it('a trace that does not exist is an input error', () => {
    expect(() => replay(trace({ file: 'nope.jsonl', format: 'mooncake' }))).toThrow(/nope\.jsonl: cannot read trace/);
  });
});

describe('trace replay: prompt token ids become vLLM-style chained block hashes', () => {
  const columns = { arrival: 't', outputTokens: 'out', promptTokenIds: 'prompt_token_ids' };

  it('prompts share exactly their common leading full 16-token blocks (the default block with token ids)', () => {
    const { wfs } = replay(trace({ file: 'token-ids.jsonl', format: 'jsonl', columns }));
    // Row 1: ids 0-39 = 2 full blocks + 8; row 2: ids 0-31 then 100-109; row 3: id 16 changed to
    // 999; row 4: ids 16-31 twice (row 1's second block first: not a prefix of anything).
    expect(wfs.map((w) => call(w).prompt!.reduce((a, r) => a + r.length, 0))).toEqual([40, 42, 37, 32]);
    expect(lengths(prompt(wfs[0]!))).toEqual([16, 16, 8]);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[1]!))).toBe(2);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[2]!))).toBe(1);
    expect(commonBlocks(prompt(wfs[0]!), prompt(wfs[3]!))).toBe(0);
    // The partial last block (8 ids of row 1) is never shared, even with an identical row.
    expect(prompt(wfs[0]!)[2]!.key).not.toBe(prompt(wfs[1]!)[2]!.key);
  });

  it('chained hashes: equal iff every id from the start through the block is equal', () => {
    const a = chainedBlockHashes([1, 2, 3, 4, 5, 6, 7], 2); // 3 full blocks; id 7 is a partial block
    expect(a).toHaveLength(3);
    expect(chainedBlockHashes([1, 2, 3, 4, 9, 9], 2).slice(0, 2)).toEqual(a.slice(0, 2));
    expect(chainedBlockHashes([3, 4], 2)[0]).not.toBe(a[1]); // same ids as block 1, different parent
    expect(chainedBlockHashes([1], 2)).toEqual([]);
  });

  it('a stated prompt length must match the ids; bad ids name the column', () => {
    const withLength = rowParser(trace({ file: 'x', format: 'jsonl', columns: { ...columns, promptTokens: 'n' } }) as never);
    expect(withLength.parse('{"t":0,"out":1,"n":2,"prompt_token_ids":[7,8]}', 1).promptTokens).toBe(2);
    expect(() => withLength.parse('{"t":0,"out":1,"n":3,"prompt_token_ids":[7,8]}', 1)).toThrow(/n: 3 does not match the 2 ids of prompt_token_ids/);
    expect(() => rowParser(trace({ file: 'x', format: 'jsonl', columns }) as never).parse('{"t":0,"out":1,"prompt_token_ids":[1,-2]}', 1))
      .toThrow(/prompt_token_ids: expected token ids \(non-negative integers\), found -2/);
  });

  it('schema: ids or a length are needed, not both ids and block hashes; hashBlockTokens still wins', () => {
    const issues = (raw: Record<string, unknown>) =>
      workloadSchema.safeParse({ name: 't', pattern: 'trace', file: 'x', format: 'jsonl', ...raw }).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ columns: { arrival: 't', outputTokens: 'o' } })).toEqual(['expected `promptTokens` or `promptTokenIds`, found neither']);
    expect(issues({ columns: { ...columns, blockHashes: 'b' } })).toEqual([expect.stringMatching(/both name the prefix blocks/)]);
    const { wfs } = replay(trace({ file: 'token-ids.jsonl', format: 'jsonl', columns, hashBlockTokens: 32 }));
    expect(lengths(prompt(wfs[0]!))).toEqual([32, 8]);
  });
});
