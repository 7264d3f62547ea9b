import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// examples/custom-policy is a team's repository using agentbench as a dependency: run its gate as
// its CI would, with `@agentbench/cli` resolved to this checkout (its built dist/), so the example
// cannot rot. .ci/pack-check runs it against the packed tarball too.
const ROOT = join(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/custom-policy');
const CLI = join(ROOT, 'dist/harness/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'ab-custom-policy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
cpSync(EXAMPLE, work, { recursive: true });
mkdirSync(join(work, 'node_modules/@agentbench'), { recursive: true });
symlinkSync(ROOT, join(work, 'node_modules/@agentbench/cli'), 'dir');

const agentbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000 });

describe('examples/custom-policy (a team gating its own policy, no fork)', () => {
  it('its gate passes against its committed baseline, and the report names the module', () => {
    const r = agentbench(['run', 'gate.yaml', '--baseline', 'baselines/gate.json', '--out', 'runs/gate', '--quiet', '--check']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/gate PASS: [1-9]\d* gate check\(s\) passed/);
    const report = JSON.parse(readFileSync(join(work, 'runs/gate/report.json'), 'utf8')) as { policies: { name: string; routing: string }[] };
    expect(report.policies.map((p) => p.name)).toEqual(['least-loaded', './policies/my-router.js(kvWeight=4)']);
  });

  it('a worse router (always the first instance) fails the gate: exit 1, naming the policy and metric', () => {
    const router = join(work, 'policies/my-router.js');
    const good = readFileSync(router, 'utf8');
    const bad = good.replace(/const load = .*;/, 'const load = inst.id === instances[0].id ? 0 : 1;');
    expect(bad).not.toBe(good);
    // Same path as written (the hash stays comparable), different code: what a team's pull request changes.
    writeFileSync(router, bad);
    try {
      const r = agentbench(['run', 'gate.yaml', '--baseline', 'baselines/gate.json', '--out', 'runs/worse', '--quiet']);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/gate FAIL: 1 of 2 gate check\(s\) failed\n  - parallel × \.\/policies\/my-router\.js\(kvWeight=4\): makespanMsP99 rose/);
    } finally {
      writeFileSync(router, good);
    }
  });

  it('its package.json scripts name commands the CLI accepts (check-policy passes)', () => {
    const scripts = (JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> });
    expect(scripts.devDependencies['@agentbench/cli']).toBeDefined();
    const check = scripts.scripts['check-policy']!;
    expect(check).toBe("agentbench check-policy policies/my-router.js --options '{kvWeight: 4}'");
    const r = agentbench(['check-policy', 'policies/my-router.js', '--options', '{kvWeight: 4}']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('all 5 checks passed');
  });

  it('its workflow uses the root action with the example\'s scenario and baseline', () => {
    const wf = parse(readFileSync(join(EXAMPLE, '.github/workflows/gate.yml'), 'utf8')) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string>; run?: string }[] }> };
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const action = steps.find((s) => s.uses?.includes('agentbench'));
    expect(action?.with).toMatchObject({ scenario: 'gate.yaml', baseline: 'baselines/gate.json' });
    expect(steps.some((s) => s.run?.includes('npm ci'))).toBe(true); // the module imports @agentbench/cli from the team's node_modules
  });
});
