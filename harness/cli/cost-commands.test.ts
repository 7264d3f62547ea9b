import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_ROOFLINE } from '../../sim/cost-model/coefficients.js';
import { resolveCluster } from '../runner/resolve.js';
import { InputError } from '../../workloads/input-error.js';
import { parseScenario } from '../scenario/load.js';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'agentbench-cost-cli-'));
const example = fileURLToPath(new URL('../../sim/cost-model/calibrate/testdata/example-observations.yaml', import.meta.url));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('agentbench capacity', () => {
  test('prints the figures as JSON', async () => {
    const r = await run('capacity', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm', '--context', '8192', '--prefix-hit-rate', '0.5', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j).toMatchObject({ numBlocks: 28_437, maxConcurrentSeqs: 55, maxConcurrentSeqsWithPrefix: 110, fits: true });
  });

  test('a model that does not fit exits 1 and says by how much', async () => {
    const r = await run('capacity', '--model', 'llama-3.1-70b', '--gpu', 'h100-sxm');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/KV blocks\s+0/);
    expect(r.err).toMatch(/does not fit on H100-SXM x1: .*short by 60\.9 GiB per GPU.*tensorParallel 2 fits/);
  });

  test('bad input exits 2 naming the flag', async () => {
    expect((await run('capacity', '--model', 'nope', '--gpu', 'h100-sxm')).err).toMatch(/--model: unknown model 'nope'; valid: llama-3.1-8b/);
    expect((await run('capacity', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm', '--prefix-hit-rate', '1')).code).toBe(2);
    const tp = await run('capacity', '--model', 'qwen2.5-7b', '--gpu', 'h100-sxm', '--tp', '8');
    expect(tp.code).toBe(2);
    expect(tp.err).toMatch(/--tp: qwen2.5-7b: num_attention_heads 28 is not divisible by tensor parallel size 8/);
  });
});

describe('agentbench explain-step', () => {
  test('breaks a mixed step down; components add up to the total', async () => {
    const r = await run('explain-step', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm', '--prefill', '512', '--decode', '32x2048', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { totalUs: number; tokens: number; seqs: number; components: { name: string; timeUs: number; bound: string }[] };
    expect(j.tokens).toBe(544);
    expect(j.seqs).toBe(33);
    expect(j.components.reduce((a, c) => a + c.timeUs, 0)).toBeCloseTo(j.totalUs, 6);
    expect(j.components.find((c) => c.name === 'linear')!.bound).toBe('compute');
    expect(j.components.find((c) => c.name === 'attention')!.bound).toBe('memory');
  });

  test('the table names each component and its bound', async () => {
    const r = await run('explain-step', '--model', 'llama-3.1-70b', '--gpu', 'h100-sxm', '--tp', '4', '--decode', '8x1000');
    expect(r.out).toMatch(/^ {2}linear .* memory$/m);
    expect(r.out).toMatch(/^ {2}all-reduce .* network$/m);
    expect(r.out).toMatch(/step time \d+\.\d+ ms for 8 tokens in 8 sequences/);
  });

  test('shows the ridge, the K/V read and the overhead split; takes an inline GPU spec', async () => {
    const inline = 'name=A100ish,bf16Tflops=312,memoryGiB=80,memoryBandwidthGBps=2039';
    const r = await run('explain-step', '--model', 'llama-3.1-8b', '--gpu', inline, '--prefill', '128', '--decode', '32x1024');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/kv-read µs +ridge µs/);
    expect(r.out).toMatch(/overhead \(CPU\) = per step 300 µs \+ per sequence - µs \(33 sequences\) = 300 µs; GPU \d+ µs; hidden by CPU\/GPU overlap \(cpuOverlap × min\) 300 µs/);
    const j = JSON.parse((await run('explain-step', '--model', 'llama-3.1-8b', '--gpu', inline, '--prefill', '128', '--decode', '32x1024', '--json')).out) as
      { components: { name: string; ridgeUs: number; kvReadUs: number }[] };
    const catalog = JSON.parse((await run('explain-step', '--model', 'llama-3.1-8b', '--gpu', 'a100-80gb', '--prefill', '128', '--decode', '32x1024', '--json')).out) as typeof j;
    // Same datasheet figures as the catalog's A100-80GB: same breakdown.
    expect(j.components).toEqual(catalog.components);
    expect(j.components.find((c) => c.name === 'linear')!.ridgeUs).toBeGreaterThan(0);
    expect(j.components.find((c) => c.name === 'attention')!.kvReadUs).toBeGreaterThan(0);
  });

  test('states the front end each prefill\'s request paid, and the TTFT of a request alone', async () => {
    // qwen2.5-0.5b on L4, 256-token prompt: front end 4000 + 0.25 × 256 = 4064 µs; the step is
    // 8.067 ms with its 300 µs of CPU hidden, 8.367 ms on an idle engine (the fidelity suite's
    // l4-qwen0.5b-c1-ttft prediction is 4.064 + 8.367 = 12.431 ms).
    const r = await run('explain-step', '--model', 'qwen2.5-0.5b', '--gpu', 'l4', '--prefill', '256', '--prefill', '512@1024');
    expect(r.code).toBe(0);
    expect(r.out).toContain('front end (per request, before the engine) = frontendUs 4000 + frontendPerPromptTokenUs 0.25 × 256 prompt tokens = 4064 µs');
    // A chunk of 512 after 1024 tokens belongs to a 1536-token prompt: 4000 + 0.25 × 1536 = 4384 µs.
    expect(r.out).toContain('× 1536 prompt tokens = 4384 µs');
    const alone = await run('explain-step', '--model', 'qwen2.5-0.5b', '--gpu', 'l4', '--prefill', '256');
    expect(alone.out).toMatch(/step time 8\.067 ms/);
    expect(alone.out).toContain('alone, TTFT = front end + this step on an idle engine (GPU + CPU, nothing hidden) = 12.431 ms');
    const j = JSON.parse((await run('explain-step', '--model', 'qwen2.5-0.5b', '--gpu', 'l4', '--prefill', '256', '--json')).out) as { frontend: unknown };
    expect(j.frontend).toEqual([{ promptTokens: 256, frontendUs: 4064 }]);
  });

  test('an inline GPU without interconnectGBps is refused for TP > 1', async () => {
    const r = await run('explain-step', '--model', 'llama-3.1-70b', '--tp', '4', '--decode', '8', '--gpu', '{"name":"G","bf16Tflops":989,"memoryGiB":80,"memoryBandwidthGBps":3350}');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--gpu: G: tensor parallelism 4 needs interconnectGBps/);
  });

  test('needs a batch', async () => {
    const r = await run('explain-step', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/give at least one --prefill or --decode/);
  });
});

describe('agentbench calibrate and scenarios using the result', () => {
  const out = join(dir, 'calibration.json');

  test('--gpu overrides the observation file\'s GPU, inline like a scenario', async () => {
    const other = join(dir, 'calibration-inline.json');
    const r = await run('calibrate', '--observations', example, '--out', other, '--gpu', 'name=Mine,bf16Tflops=400,memoryGiB=80,memoryBandwidthGBps=3000', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(readFileSync(other, 'utf8')) as { gpu: string }).gpu).toBe('Mine');
    expect((await run('calibrate', '--observations', example, '--out', other, '--gpu', 'name=Mine')).err).toMatch(/--gpu: inline GPU spec/);
  });

  test('--cpu-overlap must be a fraction: exit 2 naming the flag, expected and found', async () => {
    const r = await run('calibrate', '--observations', example, '--out', join(dir, 'never.json'), '--cpu-overlap', '1.5');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--cpu-overlap: expected a number from 0 to 1, found "1\.5"/);
  });

  test('writes a calibration file with MAPE per metric', async () => {
    // The example was generated for a synchronous engine (its header): CPU and GPU time add up.
    const r = await run('calibrate', '--observations', example, '--out', out, '--cpu-overlap', '0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/stepMs\s+24\s+[\d.]+%\s+[\d.]+%/);
    const f = JSON.parse(readFileSync(out, 'utf8')) as { coefficients: Record<string, number>; mape: Record<string, { fitted: number }> };
    expect(f.mape['stepMs']!.fitted).toBeLessThan(0.04);
    expect(f.mape['e2eMs']!.fitted).toBeLessThan(0.04);
    // The example was generated with memoryEfficiency 0.78, computeEfficiency 0.6, stepOverheadUs 450.
    expect(f.coefficients['cpuOverlap']).toBe(0);
    expect(f.coefficients['stepOverheadUs']).toBeGreaterThan(300);
    expect(f.coefficients['memoryEfficiency']).toBeGreaterThan(0.72);
    expect(f.coefficients['memoryEfficiency']).toBeLessThan(0.84);
    expect(f.coefficients['computeEfficiency']).toBeGreaterThan(0.57);
    expect(f.coefficients['computeEfficiency']).toBeLessThan(0.63);
  });

  const scenario = (cluster: string): string => [
    'name: t', 'cluster:', cluster, 'policies: [{ routing: round-robin }]',
    'workloads: [{ name: w, pattern: sequential, workflows: 1, arrivals: { kind: poisson, ratePerSec: 1 } }]',
  ].join('\n');
  const resolveText = (text: string) => {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return resolveCluster(parseScenario(text, file).scenario.cluster, file);
  };
  const problems = (text: string): string => {
    try {
      resolveText(text);
    } catch (e) {
      if (e instanceof InputError) return e.problems.join('\n');
      throw e;
    }
    return '';
  };

  test('a scenario applies the calibration, then cluster.costModel overrides', () => {
    const f = JSON.parse(readFileSync(out, 'utf8')) as { coefficients: Record<string, number> };
    const c = resolveText(scenario(`  instances: 1\n  calibration: ${out}\n  costModel: { stepOverheadUs: 123 }`));
    expect(c.coefficients.memoryEfficiency).toBe(f.coefficients['memoryEfficiency']);
    expect(c.coefficients.stepOverheadUs).toBe(123);
    expect(resolveText(scenario('  instances: 1')).coefficients).toEqual(DEFAULT_ROOFLINE);
  });

  test('a calibration for another GPU is refused', () => {
    expect(problems(scenario(`  instances: 1\n  gpu: a100-80gb\n  calibration: ${out}`)))
      .toMatch(/cluster\.calibration: .* was fitted for llama-3.1-8b on H100-SXM x1, but the cluster runs llama-3.1-8b on A100-80GB x1/);
  });

  test('an inline GPU, and errors with line:col for bad cost-model keys', () => {
    const c = resolveText(scenario('  instances: 1\n  gpu: { name: MyGPU, bf16Tflops: 500, memoryGiB: 96, memoryBandwidthGBps: 4000, interconnectGBps: 400 }'));
    expect(c.gpu.name).toBe('MyGPU');
    expect(c.capacity.numBlocks).toBeGreaterThan(28_437);
    expect(() => parseScenario(scenario('  instances: 1\n  costModel: { memEfficiency: 0.5 }'), 'x.yaml'))
      .toThrow(/x\.yaml:4:\d+: cluster\.costModel: unknown key 'memEfficiency'/);
    expect(() => parseScenario(scenario('  instances: 1\n  gpu: { name: G, bf16Tflops: -1, memoryGiB: 1, memoryBandwidthGBps: 1, interconnectGBps: 1 }'), 'x.yaml'))
      .toThrow(/x\.yaml:4:\d+: cluster\.gpu\.bf16Tflops: expected a number > 0/);
  });

  test('an inline GPU may leave interconnectGBps out at TP1, not with tensor parallelism', () => {
    const noLink = '  gpu: { name: NoLink, bf16Tflops: 500, memoryGiB: 96, memoryBandwidthGBps: 4000 }';
    expect(resolveText(scenario(`  instances: 1\n${noLink}`)).gpu.interconnectGBps).toBeUndefined();
    expect(() => resolveText(scenario(`  instances: 1\n  tensorParallel: 2\n${noLink}`)))
      .toThrow(/cluster\.gpu: NoLink: tensor parallelism 2 needs interconnectGBps/);
  });

  test('a model that does not fit, or does not split over the TP degree, is a clear error', () => {
    expect(problems(scenario('  instances: 1\n  model: llama-3.1-70b')))
      .toMatch(/cluster: llama-3.1-70b does not fit on H100-SXM x1: .*short by 60\.9 GiB per GPU.*tensorParallel 2 fits/);
    expect(problems(scenario('  instances: 1\n  model: llama-3.1-8b\n  tensorParallel: 3')))
      .toMatch(/cluster\.tensorParallel: llama-3.1-8b: num_attention_heads 32 is not divisible by tensor parallel size 3/);
  });
});

describe('agentbench fidelity', () => {
  test('prints every point and the fit / held-out summary; exit 0 while all are within tolerance', async () => {
    const r = await run('fidelity');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}a100-7b-linear-128 +fit +a100-80gb +1 +11\.568 /m);
    expect(r.out).toMatch(/^ {2}operator +held-out +53 +\d+\.\d\d% .* ≤ 5%: (met|NOT met)$/m);
    expect(r.out).toMatch(/^ {2}ttft +held-out +5 .* 5 +≤ 10%: (met|NOT met)$/m); // reported, not gated
    const j = JSON.parse((await run('fidelity', '--json')).out) as { results: { pass: boolean }[]; summary: { category: string }[] };
    expect(j.results.every((x) => x.pass)).toBe(true);
    expect(j.summary.map((s) => s.category)).toEqual(['operator', 'operator', 'attention', 'attention', 'tpot', 'ttft']);
  });
});
