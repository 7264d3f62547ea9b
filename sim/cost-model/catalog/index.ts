import { readFileSync } from 'node:fs';
import type { GpuSpec } from '../gpu-spec.js';
import { hfConfigSchema, modelFromHfConfig, type ModelSpec } from '../model-spec.js';
import { GPUS } from './gpus.js';
import llama31_8b from './models/llama-3.1-8b.json' with { type: 'json' };

/** HF configs shipped with agentbench, by catalog name. */
const MODEL_CONFIGS: Record<string, unknown> = {
  'llama-3.1-8b': llama31_8b,
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
  const raw: unknown = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  return modelFromHfConfig(nameOrPath, hfConfigSchema.parse(raw));
}

/** Look up a GPU by catalog name. */
export function loadGpu(name: string): GpuSpec {
  const gpu = (GPUS as Record<string, GpuSpec>)[name];
  if (!gpu) throw new Error(`unknown gpu '${name}'; valid: ${GPU_NAMES.join(', ')}`);
  return gpu;
}
