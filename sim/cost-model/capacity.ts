import type { GpuSpec } from './gpu-spec.js';
import { kvBytesPerToken, totalParams, type ModelSpec } from './model-spec.js';

/** Inputs of the KV capacity calculation. */
export interface CapacityOptions {
  readonly blockSize: number;
  /** vLLM's --gpu-memory-utilization (default 0.9). */
  readonly gpuMemoryUtilization: number;
  /** Tensor-parallel degree: weights and KV heads are split over `tp` GPUs. */
  readonly tensorParallel: number;
  /** Peak activation + CUDA graph + non-torch memory reserved per GPU, GiB. */
  readonly activationReserveGiB: number;
}

/** Result of the KV capacity calculation (per instance, i.e. per TP group). */
export interface KvCapacity {
  readonly weightsGiBPerGpu: number;
  readonly kvBudgetGiBPerGpu: number;
  readonly kvBytesPerBlock: number;
  readonly numBlocks: number;
  readonly numTokens: number;
}

const GIB = 1024 ** 3;

/**
 * vLLM's KV sizing (gpu_worker.determine_available_memory, kv_cache_utils.get_num_blocks):
 * blocks = (GPU memory × utilisation − weights/tp − activation reserve) / bytes per block,
 * where a block holds K and V of `blockSize` tokens for every layer (KV heads split over tp).
 */
export function kvCapacity(model: ModelSpec, gpu: GpuSpec, o: CapacityOptions): KvCapacity {
  const weightsGiBPerGpu = (totalParams(model) * model.bytesPerParam) / o.tensorParallel / GIB;
  const kvBudgetGiBPerGpu = gpu.memoryGiB * o.gpuMemoryUtilization - weightsGiBPerGpu - o.activationReserveGiB;
  const kvBytesPerBlockPerGpu = (kvBytesPerToken(model) * o.blockSize) / o.tensorParallel;
  const numBlocks = Math.max(0, Math.floor((kvBudgetGiBPerGpu * GIB) / kvBytesPerBlockPerGpu));
  return {
    weightsGiBPerGpu,
    kvBudgetGiBPerGpu,
    kvBytesPerBlock: kvBytesPerBlockPerGpu * o.tensorParallel,
    numBlocks,
    numTokens: numBlocks * o.blockSize,
  };
}
