import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { captureStdio } from '../cli/testing.js';
import { main } from '../cli/main.js';
import { loadScenario, loadScenarioAsync } from './load.js';
import { nodeStripsTypes } from './policy-modules.js';
import type { Report } from '../../reports/report.js';

// Fixtures: testdata/policy-modules/*.js (engine-policy modules re-export built-ins through dist,
// so `npm run build` must have run, as for `run --jobs`).
const FIXTURES = join(import.meta.dirname, 'testdata/policy-modules');
const DIST = pathToFileURL(join(import.meta.dirname, '../../dist/')).href;
const tmp = mkdtempSync(join(tmpdir(), 'ab-policy-modules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const io = captureStdio();

/** A copy of the fixture folder with `scenario.yaml` replaced by `yaml` (when given). */
function fixtureCopy(name: string, yaml?: string): string {
  const dir = join(tmp, name);
  cpSync(FIXTURES, dir, { recursive: true });
  // The engine-policy fixtures import the built package by a relative path: point it at this checkout's dist.
  for (const f of ['builtin-engine-policies.js', 'lru-module.js', 'good-router.js', 'unhealthy-router.js']) {
    writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace('../../../../dist/', DIST));
  }
  if (yaml !== undefined) writeFileSync(join(dir, 'scenario.yaml'), yaml);
  return dir;
}

const oneEntry = (routing: string): string => `name: t\ncluster: { instances: 2, kvBlocks: 600 }\npolicies:\n  - routing: ${routing}\nworkloads:\n  - { name: w, pattern: sequential, agents: 2, workflows: 4, arrivals: { kind: poisson, ratePerSec: 4 } }\n`;

describe('user policy modules in a scenario', () => {
  it('run like built-ins: a module re-exporting priority + lru gives the built-in entry\'s results; the name is the path as written', async () => {
    const dir = fixtureCopy('run');
    expect(await main(['run', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--quiet', '--check'])).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Report;
    expect(report.policies.map((p) => p.name)).toEqual(['least-loaded+priority', 'engine-modules', './good-router.js(bias=1)']);
    expect(report.policies[1]).toMatchObject({ scheduling: './builtin-engine-policies.js', eviction: './lru-module.js' });
    const summary = (policy: string, seed: number) => report.runs.find((r) => r.policy === policy && r.seed === seed)!.summary;
    for (const seed of [1, 2]) expect(summary('engine-modules', seed)).toEqual(summary('least-loaded+priority', seed));
    expect(summary('./good-router.js(bias=1)', 1)['workflowsCompleted']).toBe(8);
  });

  it('--jobs 2 (worker threads load the modules) writes the byte-identical report.json', async () => {
    const dir = fixtureCopy('jobs');
    expect(await main(['run', join(dir, 'scenario.yaml'), '--out', join(dir, 'one'), '--quiet', '--formats', 'json'])).toBe(0);
    expect(await main(['run', join(dir, 'scenario.yaml'), '--out', join(dir, 'two'), '--quiet', '--formats', 'json', '--jobs', '2'])).toBe(0);
    expect(readFileSync(join(dir, 'two/report.json'), 'utf8')).toBe(readFileSync(join(dir, 'one/report.json'), 'utf8'));
  });

  it('the hash names the module by its path as written, not where the checkout is', async () => {
    const a = await loadScenarioAsync(join(fixtureCopy('hash-a'), 'scenario.yaml'));
    const b = await loadScenarioAsync(join(fixtureCopy('hash-b'), 'scenario.yaml'));
    expect(a.scenario.policies[2]!.routing.module).not.toBe(b.scenario.policies[2]!.routing.module);
    expect(a.hash).toBe(b.hash);
  });

  it('the synchronous loader says the module was not loaded', () => {
    expect(() => loadScenario(join(FIXTURES, 'scenario.yaml'))).toThrow(/policies\[1\]\.scheduling\.module: policy module '\.\/builtin-engine-policies\.js' was not loaded: .*loadScenarioAsync/);
  });
});

describe('user policy modules: bad input exits 2 naming the file, key path, expected and found', () => {
  const cases: [string, string, RegExp][] = [
    ['missing file', '{ module: ./nope.js }', /scenario\.yaml:4:\d+: policies\[0\]\.routing\.module: policy module not found: .*nope\.js \(the path '\.\/nope\.js' is relative to the scenario's folder /],
    ['no default export', '{ module: ./no-default.js }', /policies\[0\]\.routing\.module: \.\/no-default\.js: expected a default export built with definePolicy\(\{ summary, options, make \}\) from '@agentbench\/cli', found no default export/],
    ['options rejected by its schema', '{ module: ./good-router.js, bias: -2 }', /scenario\.yaml:4:\d+: policies\[0\]\.routing\.bias: expected a number >= 0, found number -2/],
    ['unknown option', '{ module: ./good-router.js, bais: 1 }', /policies\[0\]\.routing\.bais: unknown option 'bais' for routing policy module '\.\/good-router\.js'; valid options: bias/],
    ['kind and module', '{ kind: random, module: ./good-router.js }', /policies\[0\]\.routing\.kind: give kind \(a built-in routing policy\) or module \(your own\), not both/],
    ['a package name', '{ module: some-package }', /expected a path to a policy module relative to the scenario's folder \(\.\/policies\/my-router\.js\), found 'some-package'/],
  ];
  for (const [what, routing, message] of cases) {
    it(what, async () => {
      const dir = fixtureCopy(`bad-${what.replace(/\W+/g, '-')}`, oneEntry(routing));
      expect(await main(['validate', join(dir, 'scenario.yaml')])).toBe(2);
      expect(io.err).toMatch(message);
    });
  }

  it('a TypeScript module on a Node that does not strip types says which Node is needed', async () => {
    const dir = fixtureCopy('ts', oneEntry('{ module: ./router.ts }'));
    writeFileSync(join(dir, 'router.ts'), readFileSync(join(dir, 'good-router.js'), 'utf8'));
    const code = await main(['validate', join(dir, 'scenario.yaml')]);
    if (nodeStripsTypes()) {
      expect(code).toBe(0);
    } else {
      expect(code).toBe(2);
      expect(io.err).toMatch(/policies\[0\]\.routing\.module: \.\/router\.ts is TypeScript, and this Node \(v[\d.]+\) does not strip types: use Node >= 22\.6 with --experimental-strip-types/);
    }
  });

  it('a routing module named as a scheduling policy fails at its key (validate too) saying what it looks like', async () => {
    const dir = fixtureCopy('slot', oneEntry('least-loaded\n    scheduling: { module: ./good-router.js }'));
    expect(await main(['validate', join(dir, 'scenario.yaml')])).toBe(2);
    expect(io.err).toMatch(/scenario\.yaml:5:17: policies\[0\]\.scheduling: scheduling policy module \.\/good-router\.js: make\(\) returned an object without newQueue\(\), preemptionVictim\(\), expected a scheduling policy \(it looks like a routing policy\)/);
  });
});

describe('conformance of user modules', () => {
  it('check-policy passes a conforming module and names the interface it found', async () => {
    expect(await main(['check-policy', join(FIXTURES, 'good-router.js'), '--options', '{bias: 2}'])).toBe(0);
    expect(io.out).toContain('routing policy conformance');
    expect(io.out).toContain('ok   never routes to an unhealthy instance');
    expect(io.out).toContain('all 5 checks passed');
  });

  it('check-policy exits 1 naming the broken check and what was found', async () => {
    expect(await main(['check-policy', join(FIXTURES, 'unhealthy-router.js')])).toBe(1);
    expect(io.out).toContain("FAIL never routes to an unhealthy instance: routed to 'a' while only b is healthy");
    expect(io.out).toMatch(/\d of 5 checks failed/);
  });

  it('check-policy runs the scheduling and eviction checks on engine-policy modules, and refuses bad options (exit 2)', async () => {
    expect(await main(['check-policy', join(FIXTURES, 'builtin-engine-policies.js')])).toBe(0);
    expect(io.out).toContain('scheduling policy conformance');
    expect(await main(['check-policy', join(FIXTURES, 'lru-module.js')])).toBe(0);
    expect(io.out).toContain('eviction policy conformance');
    expect(await main(['check-policy', join(FIXTURES, 'good-router.js'), '--options', '{bias: x}'])).toBe(2);
    expect(io.err).toMatch(/--options\.bias: .*number/);
  });

  it('run --check refuses a module that fails a conformance check before any cell runs', async () => {
    const dir = fixtureCopy('check', oneEntry('{ module: ./unhealthy-router.js }'));
    expect(await main(['run', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--quiet', '--check'])).toBe(1);
    expect(io.err).toContain("--check: policies[0].routing: routing policy module ./unhealthy-router.js fails conformance check 'never routes to an unhealthy instance'");
  });
});

describe('agentbench router --routing with a user module', () => {
  it('serves with the module\'s policy (path relative to the current folder), options checked', async () => {
    const { spawn } = await import('node:child_process');
    const cli = join(import.meta.dirname, '../../dist/harness/cli/main.js');
    const child = spawn(process.execPath, [cli, 'router', '--port', '0', '--backend', 'http://127.0.0.1:9', '--routing', '{"module": "./good-router.js", "bias": 1}', '--health-interval-ms', '60000', '--scrape-interval-ms', '0'], { cwd: FIXTURES });
    try {
      const line = await new Promise<string>((ok, fail) => {
        let text = '';
        child.stdout.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('\n')) ok(text);
        });
        child.on('exit', (code) => fail(new Error(`router exited ${String(code)}`)));
      });
      expect(line).toMatch(/^agentbench router: good-router over i0=http:\/\/127\.0\.0\.1:9 at http:\/\/127\.0\.0\.1:\d+\n/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await main(['router', '--backend', 'http://127.0.0.1:9', '--routing', `{"module": "${join(FIXTURES, 'good-router.js')}", "bias": -1}`])).toBe(2);
    expect(io.err).toMatch(/--routing\.bias: .*>=0/);
  });
});
