import { InvalidArgumentError } from 'commander';
import { GPU_NAMES, MODEL_NAMES, loadGpuArg, loadModel } from '../../sim/cost-model/catalog/index.js';
import { interconnectProblem, type GpuSpec } from '../../sim/cost-model/gpu-spec.js';
import { tensorParallelProblem, type ModelSpec } from '../../sim/cost-model/model-spec.js';
import { InputError } from '../../workloads/input-error.js';

/** Help text of --model. */
export const MODEL_HELP = `catalog model (${MODEL_NAMES.join(', ')}) or a path to a HF config.json`;
/** Help text of --gpu. */
export const GPU_HELP = `catalog GPU (${GPU_NAMES.join(', ')}), a path to a GPU spec .json, or the spec inline as in a ` +
  'scenario\'s cluster.gpu: JSON or key=value pairs, e.g. name=X,bf16Tflops=400,memoryGiB=48,memoryBandwidthGBps=960';

/** The model and GPU named on the command line; bad names are input errors (exit 2). */
export function modelAndGpu(modelRef: string, gpuRef: string, tensorParallel: number): { model: ModelSpec; gpu: GpuSpec } {
  let model: ModelSpec;
  let gpu: GpuSpec;
  try {
    model = loadModel(modelRef);
  } catch (e) {
    throw new InputError([`--model: ${(e as Error).message}`]);
  }
  try {
    gpu = loadGpuArg(gpuRef);
  } catch (e) {
    throw new InputError([`--gpu: ${(e as Error).message}`]);
  }
  const tp = tensorParallelProblem(model, tensorParallel);
  if (tp) throw new InputError([`--tp: ${model.name}: ${tp}`]);
  const link = interconnectProblem(gpu, tensorParallel);
  if (link) throw new InputError([`--gpu: ${link}`]);
  return { model, gpu };
}

/** Parse a positive integer flag. */
export function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, found '${v}'`);
  return n;
}

/** Parse a fraction flag in [lo, hi) or [lo, hi] when `inclusive`. */
export function fraction(lo: number, hi: number, inclusive: boolean): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < lo || (inclusive ? n > hi : n >= hi)) {
      throw new InvalidArgumentError(`expected a number in [${lo}, ${hi}${inclusive ? ']' : ')'}, found '${v}'`);
    }
    return n;
  };
}

/** Parse a non-negative number flag. */
export function parseNonNegative(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, found '${v}'`);
  return n;
}

/** Prefill chunks: `[COUNTx]TOKENS[@CONTEXT]` (e.g. 512, 2x512, 512@4096). */
export interface PrefillArg { readonly count: number; readonly tokens: number; readonly context: number }
/** Decodes: `[COUNTx]CONTEXT` (e.g. 32x2048). */
export interface DecodeArg { readonly count: number; readonly context: number }

/** Commander collector for repeated --prefill. */
export function collectPrefill(v: string, prev: PrefillArg[] = []): PrefillArg[] {
  const m = /^(?:(\d+)x)?(\d+)(?:@(\d+))?$/.exec(v.trim());
  if (!m || Number(m[2]) < 1 || (m[1] !== undefined && Number(m[1]) < 1)) {
    throw new InvalidArgumentError(`expected [COUNTx]TOKENS[@CONTEXT] such as 512, 4x512 or 512@2048, found '${v}'`);
  }
  return [...prev, { count: Number(m[1] ?? 1), tokens: Number(m[2]), context: Number(m[3] ?? 0) }];
}

/** Commander collector for repeated --decode. */
export function collectDecode(v: string, prev: DecodeArg[] = []): DecodeArg[] {
  const m = /^(?:(\d+)x)?(\d+)$/.exec(v.trim());
  if (!m || (m[1] !== undefined && Number(m[1]) < 1)) {
    throw new InvalidArgumentError(`expected [COUNTx]CONTEXT such as 32x2048 (32 decodes with 2048 tokens of context), found '${v}'`);
  }
  return [...prev, { count: Number(m[1] ?? 1), context: Number(m[2]) }];
}

/** Right-align a table (first column left-aligned). */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** 1234567 -> "1.23 M" style with SI prefixes. */
export function si(v: number, unit = ''): string {
  if (v === 0) return `0${unit ? ` ${unit}` : ''}`;
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P'];
  let i = 0;
  let x = v;
  while (Math.abs(x) >= 1000 && i < prefixes.length - 1) {
    x /= 1000;
    i++;
  }
  return `${x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)} ${prefixes[i]}${unit}`.trimEnd();
}

/** Aligned "key   value" lines. */
export function keyValues(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(w)}  ${v}`).join('\n');
}
