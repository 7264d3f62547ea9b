import type { GpuSpec } from './gpu-spec.js';
import { kvBytesPerTokenPerRank, tensorParallelProblem, totalParams, type ModelSpec } from './model-spec.js';

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
  /** K and V bytes of one block across the TP group (each rank holds its KV heads' share). */
  readonly kvBytesPerBlock: number;
  readonly numBlocks: number;
  readonly numTokens: number;
}

const GIB = 1024 ** 3;

/**
 * vLLM's KV sizing (gpu_worker.determine_available_memory, kv_cache_utils.get_num_blocks):
 * blocks = (GPU memory × utilisation − weights/tp − activation reserve) / bytes per block,
 * where a block holds K and V of `blockSize` tokens for every layer and this rank's KV heads.
 */
export function kvCapacity(model: ModelSpec, gpu: GpuSpec, o: CapacityOptions): KvCapacity {
  const weightsGiBPerGpu = (totalParams(model) * model.bytesPerParam) / o.tensorParallel / GIB;
  const kvBudgetGiBPerGpu = gpu.memoryGiB * o.gpuMemoryUtilization - weightsGiBPerGpu - o.activationReserveGiB;
  const kvBytesPerBlockPerGpu = kvBytesPerTokenPerRank(model, o.tensorParallel) * o.blockSize;
  const numBlocks = Math.max(0, Math.floor((kvBudgetGiBPerGpu * GIB) / kvBytesPerBlockPerGpu));
  return {
    weightsGiBPerGpu,
    kvBudgetGiBPerGpu,
    kvBytesPerBlock: kvBytesPerBlockPerGpu * o.tensorParallel,
    numBlocks,
    numTokens: numBlocks * o.blockSize,
  };
}

/** Everything `agentbench capacity` prints. */
export interface CapacityReport extends KvCapacity {
  readonly model: string;
  readonly gpu: string;
  readonly tensorParallel: number;
  readonly blockSize: number;
  readonly gpuMemoryUtilization: number;
  readonly activationReserveGiB: number;
  /** KV bytes one token takes on one GPU. */
  readonly kvBytesPerTokenPerGpu: number;
  /** Blocks requests can use: vLLM's block pool keeps block 0 as the null block. */
  readonly usableBlocks: number;
  readonly contextTokens: number;
  /** Sequences of `contextTokens` that fit at once, no sharing: usable / ⌈context / blockSize⌉. */
  readonly maxConcurrentSeqs: number;
  /** The largest max-model-len that fits: min(usable blocks × blockSize, the model's context window). */
  readonly maxModelLenFits: number;
  readonly modelMaxPositionEmbeddings: number;
  readonly prefixHitRate: number;
  /** Sequences that fit when a share `prefixHitRate` of each context is one prefix held once. */
  readonly maxConcurrentSeqsWithPrefix: number;
}

/**
 * KV capacity plus what it means for concurrency. With prefix sharing at rate R, a shared prefix
 * of ⌊R × context / blockSize⌋ full blocks is stored once (only full blocks are shareable in
 * vLLM's prefix cache) and each sequence adds its own ⌈remaining / blockSize⌉ blocks.
 */
export function capacityReport(
  model: ModelSpec, gpu: GpuSpec, o: CapacityOptions & { readonly contextTokens: number; readonly prefixHitRate: number },
): CapacityReport {
  const cap = kvCapacity(model, gpu, o);
  const usableBlocks = Math.max(0, cap.numBlocks - 1);
  const B = o.blockSize;
  const perSeq = Math.ceil(o.contextTokens / B);
  const maxConcurrentSeqs = Math.floor(usableBlocks / perSeq);
  const sharedBlocks = Math.floor((o.prefixHitRate * o.contextTokens) / B);
  const ownBlocks = Math.ceil((o.contextTokens - sharedBlocks * B) / B);
  const maxConcurrentSeqsWithPrefix = usableBlocks < sharedBlocks + ownBlocks ? 0
    : ownBlocks === 0 ? Number.POSITIVE_INFINITY : Math.floor((usableBlocks - sharedBlocks) / ownBlocks);
  return {
    ...cap,
    model: model.name, gpu: gpu.name, tensorParallel: o.tensorParallel, blockSize: B,
    gpuMemoryUtilization: o.gpuMemoryUtilization, activationReserveGiB: o.activationReserveGiB,
    kvBytesPerTokenPerGpu: kvBytesPerTokenPerRank(model, o.tensorParallel),
    usableBlocks, contextTokens: o.contextTokens, maxConcurrentSeqs,
    maxModelLenFits: Math.min(usableBlocks * B, model.maxPositionEmbeddings),
    modelMaxPositionEmbeddings: model.maxPositionEmbeddings,
    prefixHitRate: o.prefixHitRate, maxConcurrentSeqsWithPrefix,
  };
}

/** How far a model is from fitting (weights plus two KV blocks, vLLM's minimum). */
export interface FitShortfall {
  readonly weightsGiBPerGpu: number;
  /** GPU memory × utilisation − activation reserve. */
  readonly usableGiBPerGpu: number;
  readonly shortGiBPerGpu: number;
  /** The smallest power-of-two TP degree (≤ 64) the model splits over and fits at, if any. */
  readonly minTensorParallel: number | undefined;
}

/** Why `model` does not fit on `gpu` with `o`, or undefined when it does. */
export function fitShortfall(model: ModelSpec, gpu: GpuSpec, o: CapacityOptions): FitShortfall | undefined {
  const cap = kvCapacity(model, gpu, o);
  if (cap.numBlocks >= 2) return undefined;
  const usableGiBPerGpu = gpu.memoryGiB * o.gpuMemoryUtilization - o.activationReserveGiB;
  const twoBlocksGiB = (2 * kvBytesPerTokenPerRank(model, o.tensorParallel) * o.blockSize) / GIB;
  let minTensorParallel: number | undefined;
  for (let tp = 2; tp <= 64; tp *= 2) {
    if (tp <= o.tensorParallel || tensorParallelProblem(model, tp)) continue;
    if (kvCapacity(model, gpu, { ...o, tensorParallel: tp }).numBlocks >= 2) {
      minTensorParallel = tp;
      break;
    }
  }
  return {
    weightsGiBPerGpu: cap.weightsGiBPerGpu, usableGiBPerGpu,
    shortGiBPerGpu: cap.weightsGiBPerGpu + twoBlocksGiB - usableGiBPerGpu, minTensorParallel,
  };
}

/** A one-line explanation of a {@link FitShortfall}. */
export function shortfallMessage(model: ModelSpec, gpu: GpuSpec, o: CapacityOptions, s: FitShortfall): string {
  return `${model.name} does not fit on ${gpu.name} x${o.tensorParallel}: weights need ${s.weightsGiBPerGpu.toFixed(1)} GiB per GPU ` +
    `but only ${s.usableGiBPerGpu.toFixed(1)} GiB is usable (${gpu.memoryGiB} GiB x ${o.gpuMemoryUtilization} - ` +
    `${o.activationReserveGiB} GiB activation reserve), short by ${s.shortGiBPerGpu.toFixed(1)} GiB per GPU including two KV blocks; ` +
    (s.minTensorParallel !== undefined ? `tensorParallel ${s.minTensorParallel} fits` : 'no tensor-parallel degree up to 64 fits on this GPU');
}
