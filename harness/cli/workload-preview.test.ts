import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

const traceScenario = fileURLToPath(new URL('../../workloads/testdata/trace-scenario.yaml', import.meta.url));
const quickstart = fileURLToPath(new URL('../../scenarios/quickstart.yaml', import.meta.url));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('agentbench workload preview', () => {
  it('prints counts, tokens, the shareable prefix and an ASCII DAG', async () => {
    const r = await cli(['workload', 'preview', quickstart, '--workload', 'parallel']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^workload parallel \(pattern parallel, seed 1\)\n {2}workflows {9}60 /);
    expect(r.out).toMatch(/LLM calls {9}480 \(8\.0 per workflow\), tool waits 0/);
    expect(r.out).toMatch(/shareable prefix {2}\d+\.\d% of prompt tokens, \d+\.\d% across workflows \(unbounded cache, first 60 workflows\)/);
    expect(r.out).toMatch(/\nL2 {3}\[aggregator\] +llm +aggregator +prompt \d+ -> out \d+ +<- worker-0, worker-1, \.\.\. worker-5 \(6\)\n/);
    expect(r.out).not.toMatch(/workload sequential/);
  });

  it('--mermaid and --sample pick the sketch', async () => {
    const r = await cli(['workload', 'preview', quickstart, '-w', 'sequential', '--mermaid', '--sample', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nflowchart TD\n {2}n0\["agent-0<br\/>agent · \d+ → \d+ tok"\]\n {2}n1\(\["tool-0<br\/>tool · \d+ ms · 200 tok"\]\)/);
  });

  it('trace workloads: relative paths, --json, and bad rows (error, or --skip-bad-rows)', async () => {
    const good = await cli(['workload', 'preview', traceScenario, '-w', 'mooncake', '--json']);
    expect(good.code).toBe(0);
    const j = JSON.parse(good.out) as { seed: number; workloads: { workflows: number; promptTokens: number; traceRowsSkipped: number; sample: { id: string } }[] };
    expect(j.seed).toBe(1);
    expect(j.workloads[0]).toMatchObject({ workflows: 6, promptTokens: 1100 + 1300 + 600 + 1536 + 2000 + 700, traceRowsSkipped: 0, sample: { id: 'mooncake-0' } });

    const bad = await cli(['workload', 'preview', traceScenario, '-w', 'mooncake-bad']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: .*mooncake-bad\.jsonl:2: input_length: expected an integer from 1 to 10,000,000, found "abc"/);

    const skipped = await cli(['workload', 'preview', traceScenario, '-w', 'mooncake-bad', '--skip-bad-rows']);
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/workflows {9}3 /);
    expect(skipped.out).toMatch(/trace rows skipped 4/);
  });

  it('an unknown workload name lists the valid ones (exit 2)', async () => {
    const r = await cli(['workload', 'preview', quickstart, '-w', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no workload named 'nope'; workloads: sequential, parallel/);
  });
});
