import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStdio } from './testing.js';
import { parse } from 'csv-parse/sync';
import { main } from './main.js';

const data = (f: string) => join(import.meta.dirname, '../scenario/testdata', f);
const QUICKSTART = join(import.meta.dirname, '../../scenarios/quickstart.yaml');

const io = captureStdio();

describe('agentbench validate: bad scenarios exit 2 with file:line:col, expected and found', () => {
  it('YAML syntax error', async () => {
    expect(await main(['validate', data('bad-yaml.yaml')])).toBe(2);
    expect(io.err).toMatch(/bad-yaml\.yaml:6:1: YAML syntax error: Flow sequence/);
  });

  it('unknown policy name lists the valid ones', async () => {
    expect(await main(['validate', data('unknown-policy.yaml')])).toBe(2);
    expect(io.err).toContain("unknown-policy.yaml:6:14: policies[1].routing: unknown routing policy 'leastloaded'; valid: round-robin, ");
    expect(io.err).toMatch(/valid: .*least-loaded.*workflow-aware/);
  });

  it('negative rate', async () => {
    expect(await main(['validate', data('negative-rate.yaml')])).toBe(2);
    expect(io.err).toContain('negative-rate.yaml:10:44: workloads[0].arrivals.ratePerSec: expected a number > 0, found number -3');
  });

  it('missing key', async () => {
    expect(await main(['validate', data('missing-key.yaml')])).toBe(2);
    expect(io.err).toMatch(/missing-key\.yaml:1:1: cluster: missing key \(expected object\)/);
  });

  it('a file that does not exist', async () => {
    expect(await main(['validate', data('nope.yaml')])).toBe(2);
    expect(io.err).toMatch(/nope\.yaml: cannot read scenario/);
  });

  it('run refuses a broken scenario with exit 2 too', async () => {
    expect(await main(['run', data('unknown-policy.yaml'), '--quiet'])).toBe(2);
  });

  it('accepts the quickstart', async () => {
    expect(await main(['validate', QUICKSTART])).toBe(0);
    expect(io.out).toMatch(/ok — scenario 'quickstart'.*2 policies × 2 workloads × 3 seeds = 12 runs/);
  });
});

describe('agentbench run', () => {
  it('writes the run directory; twice gives a byte-identical report.json; CSVs match report.json', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'ab-a-')), mkdtempSync(join(tmpdir(), 'ab-b-'))];
    try {
      for (const d of dirs) expect(await main(['run', QUICKSTART, '--out', d, '--quiet', '--check'])).toBe(0);
      const [a, b] = dirs.map((d) => readFileSync(join(d, 'report.json'), 'utf8'));
      expect(a).toBe(b);
      const report = JSON.parse(a!) as { runs: { summary: Record<string, number> }[]; aggregates: unknown[] };
      expect(report.runs).toHaveLength(12);
      expect(report.aggregates).toHaveLength(4);
      const requests = parse(readFileSync(join(dirs[0]!, 'requests.csv')), { columns: true }) as unknown[];
      const workflows = parse(readFileSync(join(dirs[0]!, 'workflows.csv')), { columns: true }) as unknown[];
      const summary = parse(readFileSync(join(dirs[0]!, 'summary.csv')), { columns: true }) as unknown[];
      expect(requests).toHaveLength(report.runs.reduce((s, r) => s + r.summary['requestsTotal']!, 0));
      expect(workflows).toHaveLength(report.runs.reduce((s, r) => s + r.summary['workflowsTotal']!, 0));
      expect(summary).toHaveLength(12);
      const md = readFileSync(join(dirs[0]!, 'report.md'), 'utf8');
      expect(md).toContain('## Workload `sequential` (sequential)');
      expect(md).toMatch(/\| least-loaded \| 60 .*\(/);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('--seed runs one seed and --json prints a machine summary', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ab-json-'));
    try {
      expect(await main(['run', QUICKSTART, '--out', d, '--seed', '7', '--json'])).toBe(0);
      const j = JSON.parse(io.out) as { scenario: { seeds: number[] }; aggregates: { seeds: number[] }[] };
      expect(j.scenario.seeds).toEqual([7]);
      expect(j.aggregates.every((a) => a.seeds.length === 1)).toBe(true);
      expect(io.err).toBe('');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a malformed trace row fails with file:line and exit 2; --skip-bad-rows skips and counts it', async () => {
    const trace = join(import.meta.dirname, '../../workloads/testdata/trace-scenario.yaml');
    const d = mkdtempSync(join(tmpdir(), 'ab-trace-'));
    try {
      expect(await main(['run', trace, '--out', d, '--quiet'])).toBe(2);
      expect(io.err).toMatch(/mooncake-bad\.jsonl:2: .*skipBadRows/);
      expect(await main(['run', trace, '--out', d, '--json', '--skip-bad-rows'])).toBe(0);
      const j = JSON.parse(io.out) as { aggregates: { workload: string; summary: Record<string, { median: number }> }[] };
      const bad = j.aggregates.find((a) => a.workload === 'mooncake-bad')!;
      expect(bad.summary['traceRowsSkipped']!.median).toBeGreaterThan(0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a bad flag is a usage error (exit 2)', async () => {
    expect(await main(['run', QUICKSTART, '--seed', 'x'])).toBe(2);
    expect(await main(['run', QUICKSTART, '--formats', 'json,pdf'])).toBe(2);
    expect(io.err).toContain("unknown report format 'pdf'; valid: json, md, csv, html");
  });

  it('--formats writes only the chosen reports, with the same report.json', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'ab-all-')), mkdtempSync(join(tmpdir(), 'ab-fmt-'))];
    try {
      expect(await main(['run', QUICKSTART, '--out', dirs[0]!, '--seed', '2', '--quiet'])).toBe(0);
      // dirs[1] first holds a full run: its report.md and report.html must not outlive the next one.
      expect(await main(['run', QUICKSTART, '--out', dirs[1]!, '--seed', '3', '--quiet'])).toBe(0);
      expect(await main(['run', QUICKSTART, '--out', dirs[1]!, '--seed', '2', '--formats', 'json,csv', '--json'])).toBe(0);
      const j = JSON.parse(io.out.slice(io.out.lastIndexOf('{\n  "outDir"'))) as { files: string[] };
      expect(j.files.map((f) => f.slice(dirs[1]!.length + 1)))
        .toEqual(['report.json', 'requests.csv', 'workflows.csv', 'summary.csv', 'run-info.json']);
      expect(readdirSync(dirs[1]!).sort()).toEqual(['report.json', 'requests.csv', 'run-info.json', 'summary.csv', 'workflows.csv']);
      for (const f of ['report.json', 'requests.csv', 'workflows.csv', 'summary.csv']) {
        expect(readFileSync(join(dirs[1]!, f), 'utf8')).toBe(readFileSync(join(dirs[0]!, f), 'utf8'));
      }
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
