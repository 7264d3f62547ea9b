import { z } from 'zod';

/** Datasheet figures of one GPU (what a scenario may also write inline under `cluster.gpu`). */
export const gpuSpecSchema = z.strictObject({
  name: z.string().min(1),
  /** Dense BF16/FP16 tensor throughput, TFLOPS (no sparsity). */
  bf16Tflops: z.number().positive(),
  /** Dense FP8 tensor throughput, TFLOPS, where the GPU has it. */
  fp8Tflops: z.number().positive().optional(),
  /** Memory capacity as the datasheet states it (GB on the datasheet, used as GiB like vLLM users do). */
  memoryGiB: z.number().positive(),
  /** HBM/GDDR bandwidth, GB/s (10^9 bytes). */
  memoryBandwidthGBps: z.number().positive(),
  /**
   * GPU-to-GPU bandwidth per direction, GB/s (NVLink, or PCIe where the GPU has no NVLink).
   * Only tensor parallelism uses it, so a spec for TP1 may leave it out.
   */
  interconnectGBps: z.number().positive().optional(),
  /** Host (PCIe) link per direction, GB/s: what KV offload to CPU memory moves over. */
  pcieGBps: z.number().positive().optional(),
});

/** Datasheet figures of one GPU. */
export type GpuSpec = z.output<typeof gpuSpecSchema>;

/** Peak dense tensor FLOP/s for weights of `bytesPerParam` bytes (FP8 where the GPU has it). */
export function peakFlopsPerSec(gpu: GpuSpec, bytesPerParam: number): number {
  const tflops = bytesPerParam === 1 && gpu.fp8Tflops !== undefined ? gpu.fp8Tflops : gpu.bf16Tflops;
  return tflops * 1e12;
}

/** Why `gpu` cannot run `tensorParallel` ranks, or undefined when it can. */
export function interconnectProblem(gpu: GpuSpec, tensorParallel: number): string | undefined {
  if (tensorParallel > 1 && gpu.interconnectGBps === undefined) {
    return `${gpu.name}: tensor parallelism ${tensorParallel} needs interconnectGBps (GPU-to-GPU GB/s per direction) in the GPU spec`;
  }
  return undefined;
}
