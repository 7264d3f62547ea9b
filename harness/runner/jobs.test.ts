import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';

const dir = mkdtempSync(join(tmpdir(), 'ab-jobs-'));
const BUNDLE = fileURLToPath(new URL('../../dist/bundle/agentbench.js', import.meta.url));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two workloads × two policies × two seeds, with a fault and a CPU tier: cells that differ in
// length, so worker threads finish them out of order.
const SCENARIO = `name: jobs
cluster: { instances: 2, kvBlocks: 1500 }
seeds: [1, 2]
policies:
  - routing: round-robin
  - { routing: cache-aware, kvTiers: { cpu: { capacityGiB: 8 } } }
faults: [{ kind: slowdown, target: i1, atS: 2, factor: 2, durationS: 2 }]
workloads:
  - { name: seq, pattern: sequential, agents: 3, workflows: 12, arrivals: { kind: poisson, ratePerSec: 4 }, contextTokens: 1500 }
  - { name: par, pattern: parallel, workers: 4, workflows: 6, arrivals: { kind: poisson, ratePerSec: 2 }, contextTokens: 800 }
`;

describe('run --jobs', () => {
  it('gives byte-identical report.json, CSVs and report.md with 1 and 3 worker threads', async () => {
    const files = ['report.json', 'requests.csv', 'workflows.csv', 'summary.csv', 'report.md', 'chart-data.json'];
    const outs: Record<string, string>[] = [];
    for (const jobs of [1, 3]) {
      const out = join(dir, `j${jobs}`);
      await runScenario(parseScenario(SCENARIO, join(dir, 'jobs.yaml')), { outDir: out, check: true, jobs });
      outs.push(Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f), 'utf8')])));
    }
    expect(JSON.parse(outs[0]!['report.json']!).runs).toHaveLength(8);
    for (const f of files) expect(outs[1]![f], f).toBe(outs[0]![f]);
  });
});

describe('the bundled command (dist/bundle/agentbench.js, npm run build)', () => {
  it('runs the same cells as the sources, with 2 worker threads, and writes the same files', async () => {
    const file = join(dir, 'jobs.yaml');
    writeFileSync(file, SCENARIO);
    const inProcess = join(dir, 'src');
    await runScenario(parseScenario(SCENARIO, file), { outDir: inProcess, check: false, jobs: 1 });
    const bundled = join(dir, 'bundle');
    const r = spawnSync(process.execPath, [BUNDLE, 'run', file, '--out', bundled, '--jobs', '2', '--quiet'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(bundled, 'run-info.json'), 'utf8')).jobs).toBe(2);
    for (const f of ['report.json', 'requests.csv', 'workflows.csv', 'report.md']) {
      expect(readFileSync(join(bundled, f), 'utf8'), f).toBe(readFileSync(join(inProcess, f), 'utf8'));
    }
  });
});
