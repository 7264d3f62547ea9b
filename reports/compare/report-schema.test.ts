import { describe, expect, it } from 'vitest';
import { parseComparableReport } from './report-schema.js';
import { makeReport } from './testdata/make-report.js';

describe('parseComparableReport', () => {
  it('reads a report, filling absent optional lists, and keeps keys it does not know', () => {
    const r = { ...makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1] } }]), extra: 1 } as Record<string, unknown>;
    delete r['cluster'];
    delete r['policies'];
    const res = parseComparableReport(r, 'b.json');
    expect('report' in res && [res.report.cluster, res.report.policies, (res.report as Record<string, unknown>)['extra']]).toEqual([{}, [], 1]);
  });

  it('names each problem by file and key path, with what was expected and found', () => {
    const bad = { schemaVersion: '1', tool: { name: 'agentbench', version: '1' }, scenario: { name: 's', hash: 'h', mode: 'sim', seeds: [1] }, runs: [{ workload: 'w', policy: 'p', seed: 1, summary: { m: 'x' } }, { policy: 'p', seed: 2, summary: {} }] };
    expect(parseComparableReport(bad, 'b.json')).toEqual({
      problems: [
        'b.json: schemaVersion: expected number, found string "1"', // zod names an int's type number
        'b.json: runs[0].summary.m: expected number, found string "x"',
        'b.json: runs[1].workload: missing key (expected string)',
      ],
    });
    expect(parseComparableReport([], 'c.json')).toEqual({ problems: ['c.json: (top level): expected object, found a list'] });
  });
});
