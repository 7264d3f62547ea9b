import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ObservationError, loadObservationFile, toObservations } from './observations.js';

const dir = mkdtempSync(join(tmpdir(), 'agentbench-obs-'));
function write(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
function problems(f: string): string[] {
  try {
    loadObservationFile(f);
  } catch (e) {
    if (e instanceof ObservationError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('observation files', () => {
  test('the shipped example parses into steps and request observations', () => {
    const f = fileURLToPath(new URL('./testdata/example-observations.yaml', import.meta.url));
    const { file, modelRef, gpuRef } = loadObservationFile(f);
    expect(modelRef).toBe('llama-3.1-8b');
    expect(gpuRef).toBe('h100-sxm');
    const obs = toObservations(file);
    expect(obs.filter((o) => o.metric === 'stepMs')).toHaveLength(file.steps.length);
    expect(obs.filter((o) => o.metric === 'ttftMs')).toHaveLength(file.requests.length);
    expect(obs.filter((o) => o.metric === 'e2eMs')).toHaveLength(file.requests.length);
  });

  test('a request becomes budget-sized prefill chunks after its cached prefix, then its decodes', () => {
    const f = write('r.yaml', [
      'model: llama-3.1-8b', 'gpu: { name: X, bf16Tflops: 100, memoryGiB: 40, memoryBandwidthGBps: 1000, interconnectGBps: 50 }',
      'maxNumBatchedTokens: 1000', 'requests:', '  - { promptTokens: 2600, cachedTokens: 400, outputTokens: 11, ttftMs: 50, e2eMs: 150 }',
    ].join('\n'));
    const { file, gpuRef } = loadObservationFile(f);
    expect(typeof gpuRef === 'object' && gpuRef.name).toBe('X');
    const [ttft, e2e] = toObservations(file);
    expect(ttft!.metric).toBe('ttftMs');
    expect(ttft!.observedUs).toBe(50_000);
    // 2200 uncached tokens in chunks of 1000, 1000, 200 after 400, 1400, 2400 tokens of context.
    expect(ttft!.parts.map((p) => [p.shape.prefillTokens, p.shape.prefillKvReadTokens - p.shape.prefillTokens])).toEqual([[1000, 400], [1000, 1400], [200, 2400]]);
    expect(ttft!.parts.map((p) => p.shape.sampledSeqs)).toEqual([0, 0, 1]);
    // Then 10 decodes with contexts 2600..2609 (mean 2604.5), each reading context + 1 tokens.
    const dec = e2e!.parts[3]!;
    expect(dec.count).toBe(10);
    expect(dec.shape.decodeKvReadTokens).toBe(2605.5);
  });

  test('a fully cached prompt still computes its last token, as vLLM does', () => {
    const f = write('c.yaml', 'model: llama-3.1-8b\ngpu: h100-sxm\nrequests:\n  - { promptTokens: 64, cachedTokens: 64, outputTokens: 1, ttftMs: 5, e2eMs: 5 }\n');
    const [ttft, e2e] = toObservations(loadObservationFile(f).file);
    expect(ttft!.parts).toHaveLength(1);
    expect(ttft!.parts[0]!.shape.prefillTokens).toBe(1);
    expect(e2e!.parts).toHaveLength(1); // one output token: no decode steps
  });

  test('errors name file, line, column and key path', () => {
    const f = write('bad.yaml', 'model: llama-3.1-8b\ngpu: h100-sxm\nsteps:\n  - { decode: [{ count: 2, context: 9 }], durationMs: -3 }\n  - { durationMs: 4 }\n');
    const p = problems(f);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(new RegExp(`^${f}:4:\\d+: steps\\[0\\]\\.durationMs: .*>0`));
    expect(p[1]).toMatch(/:5:\d+: steps\[1\]: a step needs at least one prefill chunk or decode/);
    expect(problems(write('empty.yaml', 'model: llama-3.1-8b\ngpu: h100-sxm\n'))[0]).toMatch(/no observations/);
    expect(problems(write('keys.yaml', 'model: m\ngpu: g\nstep: []\n'))[0]).toMatch(/:3:\d+: \(top level\): unknown key 'step'; valid keys: model, gpu, tensorParallel/);
    expect(problems(write('syntax.yaml', 'model: [\n'))[0]).toMatch(/syntax error/);
  });

  test('overlapping requests are refused (per-request calibration needs concurrency 1)', () => {
    const f = write('o.yaml', [
      'model: llama-3.1-8b', 'gpu: h100-sxm', 'requests:',
      '  - { promptTokens: 10, outputTokens: 10, ttftMs: 5, e2eMs: 100, arrivalMs: 0 }',
      '  - { promptTokens: 10, outputTokens: 10, ttftMs: 5, e2eMs: 100, arrivalMs: 50 }',
    ].join('\n'));
    expect(problems(f)[0]).toMatch(/requests\[1\]\.arrivalMs: request overlaps requests\[0\].*concurrency 1/);
  });
});
