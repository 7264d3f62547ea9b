/** Datasheet figures of one GPU. */
export interface GpuSpec {
  readonly name: string;
  /** Dense BF16/FP16 tensor throughput, TFLOPS (no sparsity). */
  readonly bf16Tflops: number;
  /** Dense FP8 tensor throughput, TFLOPS, where the GPU has it. */
  readonly fp8Tflops?: number;
  readonly memoryGiB: number;
  /** HBM/GDDR bandwidth, GB/s (10^9 bytes). */
  readonly memoryBandwidthGBps: number;
  /** GPU-to-GPU bandwidth per direction, GB/s (NVLink or PCIe). */
  readonly interconnectGBps: number;
}
