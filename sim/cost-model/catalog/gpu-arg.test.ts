import { describe, expect, test } from 'vitest';
import { GPUS } from './gpus.js';
import { loadGpuArg } from './index.js';

describe('loadGpuArg: --gpu takes what a scenario takes', () => {
  test('a catalog name', () => {
    expect(loadGpuArg('h20')).toEqual(GPUS.h20);
  });

  test('inline JSON, interconnect optional (TP1)', () => {
    expect(loadGpuArg(' {"name":"Y","bf16Tflops":400,"memoryGiB":48,"memoryBandwidthGBps":960} ')).toEqual({
      name: 'Y', bf16Tflops: 400, memoryGiB: 48, memoryBandwidthGBps: 960,
    });
  });

  test('key=value pairs: numbers parsed, the name kept as text even when numeric', () => {
    expect(loadGpuArg('name=4090,bf16Tflops=165.2,memoryGiB=24,memoryBandwidthGBps=1008,interconnectGBps=32')).toEqual({
      name: '4090', bf16Tflops: 165.2, memoryGiB: 24, memoryBandwidthGBps: 1008, interconnectGBps: 32,
    });
  });

  test('bad specs name the problem', () => {
    expect(() => loadGpuArg('name=X,bf16Tflops=abc,memoryGiB=1,memoryBandwidthGBps=1')).toThrow(/bf16Tflops/);
    expect(() => loadGpuArg('name=X,memoryGiB')).toThrow(/expected key=value, found 'memoryGiB'/);
    expect(() => loadGpuArg('name=X,name=Y')).toThrow(/name given twice/);
    expect(() => loadGpuArg('{"name":')).toThrow(/not valid JSON/);
    expect(() => loadGpuArg('{"name":"X","bf16Tflops":1,"memoryGiB":1,"memoryBandwidthGBps":1,"hbm":3}')).toThrow(/inline GPU spec/);
    expect(() => loadGpuArg('nope')).toThrow(/unknown gpu 'nope'/);
  });
});

describe('catalog additions', () => {
  test('every entry gives dense figures: FP8 (where present) is twice BF16 or more', () => {
    for (const g of Object.values(GPUS) as { bf16Tflops: number; fp8Tflops?: number }[]) {
      if (g.fp8Tflops !== undefined) expect(g.fp8Tflops).toBeGreaterThanOrEqual(1.99 * g.bf16Tflops);
    }
  });

  test('datasheet figures of the new parts', () => {
    expect(GPUS.a40).toMatchObject({ bf16Tflops: 149.7, memoryGiB: 48, memoryBandwidthGBps: 696 });
    expect(GPUS.mi300x).toMatchObject({ bf16Tflops: 1307.4, memoryGiB: 192, memoryBandwidthGBps: 5300 });
    expect(GPUS['rtx-pro-6000']).toMatchObject({ memoryGiB: 96, memoryBandwidthGBps: 1792 });
    // The A40's GA102 with faster GDDR6: 768 GB/s against 696, 154.8 dense BF16 TFLOPS (309.7 sparse).
    expect(GPUS['rtx-a6000']).toMatchObject({ bf16Tflops: 154.8, memoryGiB: 48, memoryBandwidthGBps: 768 });
  });
});
