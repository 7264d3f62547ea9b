import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { smallRun } from '../runner/testdata/small-run.js';
import type { RunOutcome } from '../runner/matrix.js';
import { main } from './main.js';

let run: RunOutcome;
let original: Record<string, string>;
const FILES = ['report.md', 'report.html', 'chart-data.json'];

beforeAll(async () => {
  run = await smallRun();
  original = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(run.outDir, f), 'utf8')]));
}, 60_000);
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function quiet(): { err: () => string } {
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  return { err: () => err };
}

describe('agentbench report DIR', () => {
  it('report.json carries each workload\'s applied parameters', () => {
    const json = JSON.parse(readFileSync(join(run.outDir, 'report.json'), 'utf8')) as { workloads: { name: string; params: Record<string, unknown> }[] };
    expect(json.workloads[0]).toMatchObject({ name: 'chain', params: { workflows: 12, agents: 3, arrivals: { kind: 'poisson', ratePerSec: 3 }, contextTokens: 800 } });
    expect(json.workloads[1]!.params).toMatchObject({ workers: 3, outputTokens: { dist: 'lognormal', mean: 80, std: 30 } });
  });

  it('re-renders report.md, report.html and chart-data.json byte for byte equal to the run\'s', async () => {
    for (const f of ['report.md', 'report.html']) writeFileSync(join(run.outDir, f), 'stale');
    quiet();
    expect(await main(['report', run.outDir])).toBe(0);
    for (const f of FILES) expect(readFileSync(join(run.outDir, f), 'utf8')).toBe(original[f]);
  });

  it('renders an older run without chart-data.json, saying what is left out', async () => {
    rmSync(join(run.outDir, 'chart-data.json'));
    const q = quiet();
    expect(await main(['report', run.outDir])).toBe(0);
    expect(q.err()).toContain('chart-data.json not found');
    const html = readFileSync(join(run.outDir, 'report.html'), 'utf8');
    expect(html).toContain('Policies compared');
    expect(html).not.toContain('Latency distributions');
  });

  it('exits 2 on a directory without a report', async () => {
    const q = quiet();
    expect(await main(['report', join(run.outDir, 'nope')])).toBe(2);
    expect(q.err()).toContain('report.json: cannot read report');
  });
});
