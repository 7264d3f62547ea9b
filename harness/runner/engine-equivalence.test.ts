import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { captureStdio } from '../cli/testing.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { engineStepsFromEnv } from './sim-cell.js';
import { InputError } from '../../workloads/input-error.js';

// The fast engine (steady decode steps) against the step-by-step reference on every shipped
// scenario: report.json, requests.csv and workflows.csv must be byte-identical. Scenarios are
// shrunk (one seed, fewer workflows) so the file runs in well under a minute.
const ROOT = join(import.meta.dirname, '../..');
const SHRINK: Readonly<Record<string, readonly string[]>> = {
  'bench-scale.yaml': ['workloads[*].workflows=120'],
  'bench-scale-100k.yaml': ['workloads[*].workflows=120'],
  'bench-sim.yaml': ['workloads[*].workflows=150'],
  'failover.yaml': ['workloads[*].workflows=25'],
  'kv-tiers.yaml': ['workloads[*].workflows=12'],
  'policy-shootout.yaml': ['workloads[*].workflows=10'],
};
const scenarios = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort();
const tmp = mkdtempSync(join(tmpdir(), 'engine-equivalence-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  delete process.env['AGENTBENCH_ENGINE'];
});
captureStdio();

async function runWith(engine: 'fast' | 'reference', file: string): Promise<Record<string, string>> {
  process.env['AGENTBENCH_ENGINE'] = engine;
  const out = join(tmp, `${file}-${engine}`);
  const sets = (SHRINK[file] ?? []).flatMap((s) => ['--set', s]);
  const code = await main(['run', join(ROOT, 'scenarios', file), '--seed', '1', '--mode', 'sim', '--formats', 'json,csv', '--jobs', '1', '--quiet', '--allow-truncation', '--out', out, ...sets]);
  expect(code, `${file} with the ${engine} engine`).toBe(0);
  const files = ['report.json', 'requests.csv', 'workflows.csv'];
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

describe('fast engine ≡ step-by-step reference on every shipped scenario (byte-identical reports)', () => {
  it('finds the shipped scenarios', () => {
    expect(scenarios).toContain('bench-scale-100k.yaml');
    expect(scenarios.length).toBeGreaterThanOrEqual(13);
  });

  for (const file of scenarios) {
    it(file, async () => {
      const steadyBefore = EngineCore.steadyStepsTotal;
      const bulkBefore = EngineCore.bulkTokensTotal;
      const ref = await runWith('reference', file);
      expect(EngineCore.steadyStepsTotal, 'the reference path takes no fast step').toBe(steadyBefore);
      expect(EngineCore.bulkTokensTotal, 'the reference path hands over no token in bulk').toBe(bulkBefore);
      const fast = await runWith('fast', file);
      // Every shipped scenario has steady decode stretches: the fast path is exercised, not bypassed.
      expect(EngineCore.steadyStepsTotal).toBeGreaterThan(steadyBefore);
      expect(EngineCore.bulkTokensTotal).toBeGreaterThan(bulkBefore);
      for (const f of Object.keys(ref)) expect(fast[f] === ref[f], `${file}: ${f} differs between the engines`).toBe(true);
    }, 60_000);
  }
});

describe('AGENTBENCH_ENGINE', () => {
  it('selects the path: unset or fast → fast, reference → reference; anything else is an error', () => {
    expect(engineStepsFromEnv({})).toBe('fast');
    expect(engineStepsFromEnv({ AGENTBENCH_ENGINE: 'fast' })).toBe('fast');
    expect(engineStepsFromEnv({ AGENTBENCH_ENGINE: 'reference' })).toBe('reference');
    expect(() => engineStepsFromEnv({ AGENTBENCH_ENGINE: 'slow' })).toThrow(InputError);
    expect(() => engineStepsFromEnv({ AGENTBENCH_ENGINE: 'slow' })).toThrow(/AGENTBENCH_ENGINE: expected fast or reference, found 'slow'/);
  });
});
