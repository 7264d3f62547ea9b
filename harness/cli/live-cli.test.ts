import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { testEngine } from '../live/testdata/cluster.js';
import type { Report } from '../../reports/report.js';
import { main } from './main.js';
import { parseBackends } from './router.js';

const dir = mkdtempSync(join(tmpdir(), 'agentbench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  return { out: () => out, err: () => err };
}

describe('live CLI commands', () => {
  it('reject bad flags with exit 2 and a message naming the flag', async () => {
    const c = capture();
    expect(await main(['router'])).toBe(2);
    expect(await main(['router', '--backend', 'localhost:1'])).toBe(2);
    expect(await main(['router', '--backend', 'http://127.0.0.1:1', '--routing', 'nope'])).toBe(2);
    expect(await main(['engine', '--time-scale', '3'])).toBe(2);
    expect(await main(['engine', '--gpu', 'tpu9'])).toBe(2);
    expect(await main(['engine', '--chat-template', 'vicuna'])).toBe(2);
    expect(await main(['engine', '--tool-call-probability', '1.5'])).toBe(2);
    expect(await main(['engine', '--answer', 'poetry'])).toBe(2);
    expect(await main(['engine', '--lora-modules', 'sql'])).toBe(2);
    expect(await main(['load', 'workflows', 'x.yaml', '--stages', 'soon'])).toBe(2);
    const err = c.err();
    expect(err).toMatch(/give at least one --backend/);
    expect(err).toMatch(/--backend: expected \[id=\]http/);
    expect(err).toMatch(/--routing: unknown routing policy 'nope'/);
    expect(err).toMatch(/--gpu: unknown gpu 'tpu9'/);
    expect(err).toMatch(/--chat-template: must be one of llama3, chatml, got 'vicuna'/);
    expect(err).toMatch(/--tool-call-probability/);
    expect(err).toMatch(/--answer: must be one of synthetic, echo, got 'poetry'/);
    expect(err).toMatch(/--lora-modules: expected name=path, got 'sql'/);
    expect(err).toMatch(/--stages: expected <duration>/);
  });

  it('reads backends from flags and a file, with ids and keys from the environment', () => {
    const file = join(dir, 'backends.yaml');
    writeFileSync(file, '- http://127.0.0.1:9001\n- { id: big, url: "http://127.0.0.1:9002", apiKeyEnv: AB_TEST_KEY }\n');
    process.env['AB_TEST_KEY'] = 'k2';
    const b = parseBackends(['a=http://127.0.0.1:9000'], file, 'k1');
    expect(b).toEqual([
      { id: 'a', url: 'http://127.0.0.1:9000', apiKey: 'k1' },
      { id: 'i1', url: 'http://127.0.0.1:9001', apiKey: 'k1' },
      { id: 'big', url: 'http://127.0.0.1:9002', apiKey: 'k2' },
    ]);
  });

  it('load saturate drives an endpoint with autocannon, bounded by --amount', async () => {
    const e = await testEngine({ timeScale: 0.001 });
    try {
      const c = capture();
      const code = await main(['load', 'saturate', '--url', e.url, '--model', 'llama-3.1-8b', '--connections', '4', '--amount', '40', '--duration-s', '30', '--json']);
      const figures = JSON.parse(c.out()) as { requests: number; errors: number; non2xx: number; latencyMsP50: number };
      expect(code).toBe(0);
      expect(figures.requests).toBe(40);
      expect(figures.errors + figures.non2xx).toBe(0);
      expect(e.engine.totals().finished).toBe(40);
    } finally {
      await e.close();
    }
  });

  it('load saturate sends a chat body to chat completions, counts failures by status, and times successful answers only', async () => {
    const e = await testEngine({ timeScale: 0.001 });
    try {
      const run = async (): Promise<{ code: number; figures: { requests: number; succeeded: number; non2xx: number; statuses: string; latencyMsP50: number | null } }> => {
        const c = capture();
        const code = await main(['load', 'saturate', '--url', e.url, '--model', 'llama-3.1-8b', '--path', '/v1/chat/completions', '--connections', '2', '--amount', '10', '--json']);
        vi.restoreAllMocks();
        return { code, figures: JSON.parse(c.out()) as never };
      };
      const ok = await run();
      expect(ok.code).toBe(0);
      expect(ok.figures).toMatchObject({ requests: 10, succeeded: 10, non2xx: 0, statuses: '200: 10' });
      expect(ok.figures.latencyMsP50).toBeGreaterThan(0);
      await e.fault('error');
      const bad = await run();
      process.exitCode = undefined; // saturate sets it on failures; later commands must start clean
      expect(bad.code).toBe(1);
      expect(bad.figures).toMatchObject({ requests: 10, succeeded: 0, non2xx: 10, statuses: '500: 10', latencyMsP50: null });
    } finally {
      await e.close();
    }
  });

  it('load workflows runs rate stages against a spawned stack and writes live reports', async () => {
    const file = join(dir, 'lw.yaml');
    writeFileSync(file, [
      'name: lw', 'live: { timeScale: 0.1, maxDurationS: 60 }', 'cluster: { instances: 2 }', 'policies: [{ routing: least-loaded }]',
      'workloads:', '  - { name: seq, pattern: sequential, agents: 2, workflows: 1000, arrivals: { kind: constant, ratePerSec: 1 }, contextTokens: 300, outputTokens: 8 }',
    ].join('\n'));
    const out = join(dir, 'lw-out');
    const c = capture();
    expect(await main(['load', 'workflows', file, '--stages', '1s@4,1s@10', '--out', out, '--quiet'])).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.scenario.mode).toBe('live');
    const s = report.runs[0]!.summary;
    // About 4 + 10 workflows from the stages, not the workload's 1000.
    expect(s['workflowsCompleted']).toBeGreaterThan(4);
    expect(s['workflowsCompleted']).toBeLessThan(40);
    expect(s['requestsFailed']).toBe(0);
    expect(c.out()).toMatch(/over stages 1s@4,1s@10/);
  });

  it('load workflows --target --shard K/N drives slices that agentbench merge joins; policy entries collapse to one run', async () => {
    const file = join(dir, 'sl.yaml');
    // Two entries that agree on recovery: against a target they are one run, labelled target.
    writeFileSync(file, [
      'name: sl', 'cluster: { instances: 1 }', 'policies: [{ routing: least-loaded }, { routing: round-robin }]', 'seeds: [1]',
      'workloads:', '  - { name: c, pattern: chat, workflows: 5, arrivals: { kind: constant, ratePerSec: 1 }, taskTokens: 32, outputTokens: 4 }',
    ].join('\n'));
    const e = await testEngine({ timeScale: 0.05 });
    try {
      const c = capture();
      for (const k of [1, 2]) {
        expect(await main(['load', 'workflows', file, '--stages', '1s@8', '--target', e.url, '--model', 'llama-3.1-8b', '--shard', `${k}/2`, '--out', join(dir, `sl${k}`), '--quiet'])).toBe(0);
      }
      expect(c.out()).toMatch(/slice 2\/2: one arrival in 2; join the 2 folders with agentbench merge/);
      const part = JSON.parse(readFileSync(join(dir, 'sl1', 'report.json'), 'utf8')) as Report;
      expect(part.shard).toMatchObject({ index: 1, count: 2, split: 'workflows', totalCells: 1 });
      expect(part.runs.map((r) => r.policy)).toEqual(['target']);
      expect(await main(['merge', join(dir, 'sl1'), join(dir, 'sl2'), '--out', join(dir, 'sl-merged')])).toBe(0);
      expect(c.out()).toMatch(/merged 2 slices of a live load, 1 runs of 'sl'/);
      const merged = JSON.parse(readFileSync(join(dir, 'sl-merged', 'report.json'), 'utf8')) as Report;
      const parts = [1, 2].map((k) => (JSON.parse(readFileSync(join(dir, `sl${k}`, 'report.json'), 'utf8')) as Report).runs[0]!.summary['workflowsTotal']!);
      expect(merged.runs[0]!.summary['workflowsTotal']).toBe(parts[0]! + parts[1]!);
      expect(parts[0]! - parts[1]!).toBeGreaterThanOrEqual(0); // slice 1 takes arrivals 0, 2, 4...: never fewer
      expect(parts[0]! - parts[1]!).toBeLessThanOrEqual(1);
      writeFileSync(file, readFileSync(file, 'utf8').replace('{ routing: round-robin }', '{ routing: round-robin, recovery: retry-call }'));
      expect(await main(['load', 'workflows', file, '--stages', '1s@8', '--target', e.url, '--model', 'llama-3.1-8b', '--quiet'])).toBe(2);
      expect(c.err()).toMatch(/--target: the scenario's policy entries differ in recovery/);
    } finally {
      await e.close();
    }
  });
});
