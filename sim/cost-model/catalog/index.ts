import { readFileSync } from 'node:fs';
import { gpuSpecSchema, type GpuSpec } from '../gpu-spec.js';
import { hfConfigSchema, modelFromHfConfig, type ModelSpec } from '../model-spec.js';
import { GPUS } from './gpus.js';
import llama31_8b from './models/llama-3.1-8b.json' with { type: 'json' };
import llama31_70b from './models/llama-3.1-70b.json' with { type: 'json' };
import llama2_7b from './models/llama-2-7b.json' with { type: 'json' };
import qwen25_05b from './models/qwen2.5-0.5b.json' with { type: 'json' };
import qwen25_7b from './models/qwen2.5-7b.json' with { type: 'json' };
import qwen25_32b from './models/qwen2.5-32b.json' with { type: 'json' };
import mixtral_8x7b from './models/mixtral-8x7b.json' with { type: 'json' };
import codellama_34b from './models/codellama-34b.json' with { type: 'json' };

/** HF configs shipped with agentbench, by catalog name (each file names its source). */
const MODEL_CONFIGS: Record<string, unknown> = {
  'llama-3.1-8b': llama31_8b,
  'llama-3.1-70b': llama31_70b,
  'llama-2-7b': llama2_7b,
  'qwen2.5-0.5b': qwen25_05b,
  'qwen2.5-7b': qwen25_7b,
  'qwen2.5-32b': qwen25_32b,
  'mixtral-8x7b': mixtral_8x7b,
  'codellama-34b': codellama_34b,
};

/** Model names shipped with agentbench. */
export const MODEL_NAMES = Object.keys(MODEL_CONFIGS);

/** GPU names in the catalog. */
export const GPU_NAMES = Object.keys(GPUS);

/** Load a model by catalog name, or from a path to a Hugging Face config.json. */
export function loadModel(nameOrPath: string): ModelSpec {
  const shipped = MODEL_CONFIGS[nameOrPath];
  if (shipped !== undefined) return modelFromHfConfig(nameOrPath, hfConfigSchema.parse(shipped));
  if (!nameOrPath.endsWith('.json')) {
    throw new Error(`unknown model '${nameOrPath}'; valid: ${MODEL_NAMES.join(', ')}, or a path to a config.json`);
  }
  const raw = readJson(nameOrPath, 'model config');
  const parsed = hfConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${nameOrPath}: not a usable HF config.json: ${issuesText(parsed.error.issues)}`);
  try {
    return modelFromHfConfig(nameOrPath, parsed.data);
  } catch (e) {
    throw new Error(`${nameOrPath}: ${(e as Error).message}`);
  }
}

/** Look up a GPU by catalog name, or read a GPU spec JSON file (same fields as the catalog). */
export function loadGpu(nameOrPath: string): GpuSpec {
  const gpu = (GPUS as Record<string, GpuSpec>)[nameOrPath];
  if (gpu) return gpu;
  if (!nameOrPath.endsWith('.json')) {
    throw new Error(`unknown gpu '${nameOrPath}'; valid: ${GPU_NAMES.join(', ')}, or a path to a GPU spec .json`);
  }
  const parsed = gpuSpecSchema.safeParse(readJson(nameOrPath, 'GPU spec'));
  if (!parsed.success) throw new Error(`${nameOrPath}: not a GPU spec: ${issuesText(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * A GPU from the command line: a catalog name, a path to a GPU spec .json, or the spec inline as
 * a scenario writes it under cluster.gpu, either JSON (`{"name":"X","bf16Tflops":400,...}`) or
 * comma-separated key=value pairs (`name=X,bf16Tflops=400,memoryGiB=48,memoryBandwidthGBps=960`).
 */
export function loadGpuArg(ref: string): GpuSpec {
  const text = ref.trim();
  let raw: unknown;
  if (text.startsWith('{')) {
    try {
      raw = JSON.parse(text) as unknown;
    } catch (e) {
      throw new Error(`inline GPU spec is not valid JSON: ${(e as Error).message}`);
    }
  } else if (text.includes('=')) {
    raw = keyValueSpec(text);
  } else {
    return loadGpu(text);
  }
  const parsed = gpuSpecSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`inline GPU spec: ${issuesText(parsed.error.issues)}; fields: ${Object.keys(gpuSpecSchema.shape).join(', ')}`);
  return parsed.data;
}

/** `a=1,b=x` → { a: 1, b: 'x' }: numbers where the value is one, text otherwise (the name). */
function keyValueSpec(text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (eq <= 0 || value === '') throw new Error(`inline GPU spec: expected key=value, found '${pair.trim()}'`);
    if (key in out) throw new Error(`inline GPU spec: ${key} given twice`);
    const n = Number(value);
    out[key] = key !== 'name' && Number.isFinite(n) ? n : value;
  }
  return out;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${path}: invalid JSON: ${(e as Error).message}`);
  }
}

function issuesText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`).join('; ');
}
