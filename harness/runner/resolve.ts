import { dirname, isAbsolute, resolve } from 'node:path';
import { fitShortfall, kvCapacity, shortfallMessage, type KvCapacity } from '../../sim/cost-model/capacity.js';
import { loadGpu, loadModel } from '../../sim/cost-model/catalog/index.js';
import { calibrationFor } from '../../sim/cost-model/calibrate/calibration-file.js';
import { DEFAULT_ROOFLINE, mergeCoefficients, type CoefficientOverrides, type RooflineCoefficients } from '../../sim/cost-model/coefficients.js';
import { interconnectProblem, type GpuSpec } from '../../sim/cost-model/gpu-spec.js';
import { RooflineCostModel } from '../../sim/cost-model/roofline.js';
import type { CostModel } from '../../sim/cost-model/types.js';
import { tensorParallelProblem, type ModelSpec } from '../../sim/cost-model/model-spec.js';
import type { EngineConfig } from '../../sim/engine/engine-core.js';
import { InputError } from '../../workloads/input-error.js';
import type { ClusterSpec } from '../scenario/schema.js';

/** The cluster section turned into engine configuration. */
export interface ResolvedCluster {
  readonly instances: number;
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly capacity: KvCapacity;
  readonly tensorParallel: number;
  /** Cost-model coefficients: defaults, then the calibration file, then cluster.costModel. */
  readonly coefficients: RooflineCoefficients;
  readonly engine: EngineConfig;
  readonly viewRefreshUs: number;
}

/** The cluster's step-time model (the one simulated instances and emulated engines share). */
export function clusterCostModel(c: ResolvedCluster): CostModel {
  return new RooflineCostModel(c.model, c.gpu, { coefficients: c.coefficients, tensorParallel: c.tensorParallel });
}

/**
 * vLLM's engine defaults for the OpenAI API server (vllm/engine/arg_utils.py,
 * _set_default_args): GPUs with ≥ 70 GiB that are not A100 get 8192 batched tokens and 1024
 * sequences; others 2048 and 256.
 */
export function vllmSchedulerDefaults(gpu: GpuSpec): { maxNumBatchedTokens: number; maxNumSeqs: number } {
  const big = gpu.memoryGiB >= 70 && !/a100/i.test(gpu.name);
  return big ? { maxNumBatchedTokens: 8192, maxNumSeqs: 1024 } : { maxNumBatchedTokens: 2048, maxNumSeqs: 256 };
}

/** Resolve catalog names, KV capacity and vLLM defaults; errors name the key and the shortfall. */
export function resolveCluster(c: ClusterSpec, scenarioFile: string): ResolvedCluster {
  const modelRef = c.model.endsWith('.json') && !isAbsolute(c.model) ? resolve(dirname(scenarioFile), c.model) : c.model;
  let model: ModelSpec;
  try {
    model = loadModel(modelRef);
  } catch (e) {
    throw new InputError([`${scenarioFile}: cluster.model: ${(e as Error).message}`]);
  }
  const gpu = typeof c.gpu === 'string' ? loadGpu(c.gpu) : c.gpu;
  const tpProblem = tensorParallelProblem(model, c.tensorParallel);
  if (tpProblem) throw new InputError([`${scenarioFile}: cluster.tensorParallel: ${model.name}: ${tpProblem}`]);
  const linkProblem = interconnectProblem(gpu, c.tensorParallel);
  if (linkProblem) throw new InputError([`${scenarioFile}: cluster.gpu: ${linkProblem}`]);
  const capOpts = {
    blockSize: c.blockSize, gpuMemoryUtilization: c.gpuMemoryUtilization,
    tensorParallel: c.tensorParallel, activationReserveGiB: c.activationReserveGiB,
  };
  const derived = kvCapacity(model, gpu, capOpts);
  const shortfall = c.kvBlocks === undefined ? fitShortfall(model, gpu, capOpts) : undefined;
  if (shortfall) {
    throw new InputError([`${scenarioFile}: cluster: ${shortfallMessage(model, gpu, capOpts, shortfall)}, or raise gpuMemoryUtilization`]);
  }
  let calibrated: CoefficientOverrides | undefined;
  if (c.calibration !== undefined) {
    const path = isAbsolute(c.calibration) ? c.calibration : resolve(dirname(scenarioFile), c.calibration);
    try {
      calibrated = calibrationFor(path, model, gpu.name, c.tensorParallel);
    } catch (e) {
      throw new InputError([`${scenarioFile}: cluster.calibration: ${(e as Error).message}`]);
    }
  }
  const coefficients = mergeCoefficients(DEFAULT_ROOFLINE, calibrated, c.costModel);
  const capacity: KvCapacity = c.kvBlocks === undefined ? derived : { ...derived, numBlocks: c.kvBlocks, numTokens: c.kvBlocks * c.blockSize };
  const kvTokens = (capacity.numBlocks - 1) * c.blockSize;
  if (c.maxModelLen !== undefined && c.maxModelLen > kvTokens) {
    throw new InputError([
      `${scenarioFile}: cluster.maxModelLen: ${c.maxModelLen} tokens do not fit in the instance's KV cache ` +
      `(${kvTokens} tokens); vLLM refuses to start in this case. Lower maxModelLen or add KV capacity`,
    ]);
  }
  const defaults = vllmSchedulerDefaults(gpu);
  return {
    instances: c.instances,
    model,
    gpu,
    capacity,
    tensorParallel: c.tensorParallel,
    coefficients,
    viewRefreshUs: c.routerViewRefreshMs * 1000,
    engine: {
      numBlocks: capacity.numBlocks,
      blockSize: c.blockSize,
      enablePrefixCaching: c.enablePrefixCaching,
      // vLLM defaults max_model_len to the model's context; we also cap it at the KV capacity.
      maxModelLen: c.maxModelLen ?? Math.min(model.maxPositionEmbeddings, kvTokens),
      maxNumBatchedTokens: c.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens,
      maxNumSeqs: c.maxNumSeqs ?? defaults.maxNumSeqs,
      longPrefillTokenThreshold: c.longPrefillTokenThreshold,
      // cpuOverlap > 0 is vLLM's async scheduling (coefficients.ts), whose engine core also
      // admits a request arriving mid-step one step later (engine-core.ts asyncScheduling).
      asyncScheduling: coefficients.cpuOverlap > 0,
    },
  };
}
