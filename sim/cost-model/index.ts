export type { CostModel, StepShape } from './types.js';
export { emptyShape, resetShape, addToShape } from './types.js';
export type { ModelSpec, HfConfig } from './model-spec.js';
export { modelFromHfConfig, hfConfigSchema, totalParams, activeLayerParams, kvBytesPerToken } from './model-spec.js';
export type { GpuSpec } from './gpu-spec.js';
export { RooflineCostModel, DEFAULT_ROOFLINE, type RooflineCoefficients } from './roofline.js';
export { kvCapacity, type CapacityOptions, type KvCapacity } from './capacity.js';
export { loadModel, loadGpu, MODEL_NAMES, GPU_NAMES } from './catalog/index.js';
