import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadModel } from '../catalog/index.js';
import { modelFingerprint } from '../model-spec.js';
import { calibrationFor } from './calibration-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ab-calfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = loadModel('llama-3.1-8b');

function file(name: string, coefficients: Record<string, number>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({
    kind: 'agentbench-calibration', schemaVersion: 1, model: model.name, modelFingerprint: modelFingerprint(model),
    gpu: 'H100-SXM', tensorParallel: 1, coefficients,
  }));
  return path;
}

describe('calibrationFor', () => {
  test('a file from before cpuOverlap (stepOverheadUs fitted with CPU and GPU time adding up) stays synchronous', () => {
    const k = calibrationFor(file('old.json', { memoryEfficiency: 0.8, stepOverheadUs: 450 }), model, 'H100-SXM', 1);
    expect(k).toEqual({ memoryEfficiency: 0.8, stepOverheadUs: 450, cpuOverlap: 0 });
  });

  test('a file that states cpuOverlap, or has no CPU overhead to keep, is taken as written', () => {
    expect(calibrationFor(file('new.json', { stepOverheadUs: 450, cpuOverlap: 1 }), model, 'H100-SXM', 1)).toEqual({ stepOverheadUs: 450, cpuOverlap: 1 });
    expect(calibrationFor(file('partial.json', { memoryEfficiency: 0.8 }), model, 'H100-SXM', 1)).toEqual({ memoryEfficiency: 0.8 });
  });
});
