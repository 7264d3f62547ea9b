export type { CostModel, StepShape, StepBreakdown, ComponentTime, Bound } from './types.js';
export { emptyShape, resetShape, addToShape } from './types.js';
export type { ModelSpec, HfConfig } from './model-spec.js';
export {
  modelFromHfConfig, hfConfigSchema, totalParams, activeLayerParams, kvBytesPerToken, kvBytesPerTokenPerRank,
  kvHeadsPerRank, tensorParallelProblem,
} from './model-spec.js';
export { gpuSpecSchema, peakFlopsPerSec, type GpuSpec } from './gpu-spec.js';
export {
  DEFAULT_ROOFLINE, COEFFICIENT_NAMES, coefficientsSchema, coefficientOverridesSchema, mergeCoefficients,
  type RooflineCoefficients, type CoefficientOverrides,
} from './coefficients.js';
export { StepWorkModel, COMPONENTS, type ComponentName, type StepWork } from './step-work.js';
export { RooflineCostModel, type RooflineOptions } from './roofline.js';
export {
  kvCapacity, capacityReport, fitShortfall, shortfallMessage,
  type CapacityOptions, type KvCapacity, type CapacityReport, type FitShortfall,
} from './capacity.js';
export { loadModel, loadGpu, MODEL_NAMES, GPU_NAMES } from './catalog/index.js';
export { referenceComparison, VIDUR_H100_LLAMA2_7B_LINEAR_NORM_MS, type ReferenceRow } from './reference.js';
export {
  fitCoefficients, loadObservationFile, toObservations, calibrationFor, loadCalibrationFile,
  type FitResult, type Observation, type ObservationFile, type CalibrationFile,
} from './calibrate/index.js';
