import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_COLUMNS, WORKFLOW_COLUMNS } from '../../reports/csv.js';
import type { Report } from '../../reports/report.js';
import { smallRun } from './testdata/small-run.js';

let dir: string;
let report: Report;

beforeAll(async () => {
  const run = await smallRun();
  dir = run.outDir;
  report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
});

const csv = (name: string): string[][] => parse(readFileSync(join(dir, name), 'utf8'), { relaxColumnCount: false }) as string[][];
const sum = (metric: string): number => report.runs.reduce((s, r) => s + (r.summary[metric] ?? 0), 0);

describe('run directory CSVs agree with report.json', () => {
  it('writes every file', () => {
    for (const f of ['report.json', 'report.md', 'report.html', 'requests.csv', 'workflows.csv', 'summary.csv', 'run-info.json']) {
      expect(readFileSync(join(dir, f), 'utf8').length).toBeGreaterThan(0);
    }
  });

  it('requests.csv has one row per request of every run', () => {
    const [head, ...rows] = csv('requests.csv');
    expect(head).toEqual([...REQUEST_COLUMNS]);
    expect(rows.length).toBe(sum('requestsTotal'));
    for (const r of report.runs) {
      const mine = rows.filter((x) => x[0] === r.workload && x[1] === r.policy && x[2] === String(r.seed));
      expect(mine.length).toBe(r.summary['requestsTotal']);
      expect(mine.filter((x) => x[8] === 'ok').length).toBe(r.summary['requestsOk']);
    }
  });

  it('workflows.csv has one row per workflow of every run', () => {
    const [head, ...rows] = csv('workflows.csv');
    expect(head).toEqual([...WORKFLOW_COLUMNS]);
    expect(rows.length).toBe(sum('workflowsTotal'));
    expect(rows.filter((x) => x[5] === 'completed').length).toBe(sum('workflowsCompleted'));
  });

  it('summary.csv has one row per run and one column per metric', () => {
    const [head, ...rows] = csv('summary.csv');
    expect(rows.length).toBe(report.runs.length);
    expect(head).toEqual(['workload', 'policy', 'seed', ...Object.keys(report.runs[0]!.summary)]);
    rows.forEach((row, i) => expect(Number(row[head!.indexOf('requestsOk')])).toBe(report.runs[i]!.summary['requestsOk']));
  });
});
