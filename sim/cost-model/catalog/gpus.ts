import type { GpuSpec } from '../gpu-spec.js';

/** GPUs by catalog name, from NVIDIA datasheets (dense figures, SXM variants unless named). */
export const GPUS = {
  'h100-sxm': {
    // NVIDIA H100 Tensor Core GPU datasheet: 989 TFLOPS BF16 dense, 1979 FP8 dense,
    // 80 GB HBM3 at 3.35 TB/s, NVLink 900 GB/s (bidirectional; 450 GB/s per direction).
    name: 'H100-SXM', bf16Tflops: 989, fp8Tflops: 1979, memoryGiB: 80, memoryBandwidthGBps: 3350, interconnectGBps: 450,
  },
} as const satisfies Record<string, GpuSpec>;
